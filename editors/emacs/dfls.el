;;; dfls.el --- Power Query M and Dataflow Gen2 items with the dfls language server -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; `dfls-mode', a major mode for Power Query M (`mashup.pq', `*.pq', `*.pqm'), `dfls-json-mode' for the JSON
;; parts of a Dataflow Gen2 item (`queryMetadata.json', `.platform', `.schedules', `dataflow-content.json',
;; `*.Dataflow/*.mdf'), and their registration with eglot: `dfls lsp' gives diagnostics, completion, hover,
;; go to definition, rename, formatting and the rest.  The commands `dfls-push', `dfls-publish',
;; `dfls-refresh', `dfls-status', `dfls-cancel' and `dfls-pull' ask the server to run the REST actions on the
;; current buffer's item; `dfls-list', `dfls-parameters' and `dfls-schedule' show the workspace's Dataflows,
;; the item's public parameters and its refresh schedules (and add, change, enable, disable or remove one).
;;
;;   (add-to-list 'load-path "/path/to/dfls/editors/emacs")
;;   (require 'dfls)
;;   (add-hook 'dfls-mode-hook #'eglot-ensure)
;;   (add-hook 'dfls-json-mode-hook #'eglot-ensure)

;;; Code:

(require 'cl-lib)
(require 'jsonrpc)
(require 'js)

(defgroup dfls nil
  "Power Query M and Dataflow Gen2 items with the dfls language server."
  :group 'languages
  :prefix "dfls-")

(defcustom dfls-server-command '("dfls" "lsp")
  "The language server's command line: `dfls' on `exec-path' by default."
  :type '(repeat string))

(defcustom dfls-target nil
  "The target of `dfls.toml' for the REST commands, or nil for the server's default target."
  :type '(choice (const :tag "The default target" nil) string))

(defcustom dfls-indent-offset 2
  "Indentation of a `let' binding, record field or list item in M, as Fabric writes it."
  :type 'integer)

(defconst dfls--keywords
  '("and" "as" "catch" "each" "else" "error" "false" "if" "in" "is" "let" "meta" "not" "null" "nullable"
    "optional" "or" "otherwise" "section" "shared" "then" "true" "try" "type")
  "The keywords of M.")

(defconst dfls--types
  '("any" "anynonnull" "binary" "date" "datetime" "datetimezone" "duration" "function" "list" "logical"
    "none" "number" "record" "table" "text" "time")
  "M's primitive type names.")

(defconst dfls-font-lock-keywords
  `((,(regexp-opt dfls--keywords 'symbols) . font-lock-keyword-face)
    (,(concat "\\_<#" (regexp-opt '("binary" "date" "datetime" "datetimezone" "duration" "infinity" "nan"
                                    "sections" "shared" "table" "time"))
              "\\_>")
     . font-lock-builtin-face)
    (,(concat "\\_<type\\s-+\\(?:nullable\\s-+\\)?\\(" (regexp-opt dfls--types) "\\)\\_>") 1 font-lock-type-face)
    ("\\_<[A-Z][A-Za-z0-9]*\\.Type\\_>" . font-lock-type-face)
    ("\\_<\\([A-Z][A-Za-z0-9]*\\(?:\\.[A-Z][A-Za-z0-9]*\\)+\\)\\s-*(" 1 font-lock-function-name-face)
    ("^\\s-*\\(?:shared\\s-+\\)?\\(#\"[^\"\n]*\"\\|[A-Za-z_][A-Za-z0-9_.]*\\)\\s-*=[^=>]" 1
     font-lock-variable-name-face)
    ("\\_<-?[0-9]+\\(?:\\.[0-9]+\\)?\\(?:[eE][-+]?[0-9]+\\)?\\_>\\|\\_<0[xX][0-9A-Fa-f]+\\_>" . font-lock-constant-face))
  "Highlighting for `dfls-mode'.")

(defvar dfls-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; `//' line comments and `/* */' block comments.
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23" table)
    (modify-syntax-entry ?\n "> b" table)
    ;; Text: "..." with "" for a quote, so backslash is no escape.
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "." table)
    ;; Names like Table.AddColumn and #date are one symbol.
    (modify-syntax-entry ?. "_" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?# "_" table)
    (modify-syntax-entry ?' "." table)
    (dolist (c '(?+ ?- ?= ?< ?> ?& ?? ?! ?@ ?, ?\;))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table of `dfls-mode'.")

;;;###autoload
(define-derived-mode dfls-mode prog-mode "M"
  "Major mode for Power Query M, as in a Dataflow Gen2 item's `mashup.pq'."
  :syntax-table dfls-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?://+\\|/\\*+\\)\\s-*")
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width dfls-indent-offset)
  (setq-local font-lock-defaults '(dfls-font-lock-keywords)))

(defalias 'dfls--json-parent-mode (if (fboundp 'js-json-mode) #'js-json-mode #'js-mode))

;;;###autoload
(define-derived-mode dfls-json-mode dfls--json-parent-mode "Dataflow JSON"
  "Major mode for the JSON parts of a Dataflow Gen2 item, checked by dfls.")

;;;###autoload
(progn
  (add-to-list 'auto-mode-alist '("\\.pqm?\\'" . dfls-mode))
  (add-to-list 'auto-mode-alist
               '("/\\(?:queryMetadata\\.json\\|\\.platform\\|\\.schedules\\|dataflow-content\\.json\\)\\'"
                 . dfls-json-mode))
  (add-to-list 'auto-mode-alist '("\\.Dataflow/[^/]*\\.mdf\\'" . dfls-json-mode)))

(defun dfls--contact (&optional _interactive)
  "The server eglot starts for dfls's modes."
  dfls-server-command)

;;;###autoload
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '((dfls-mode dfls-json-mode) . dfls--contact)))

;;; The REST commands

(declare-function eglot-current-server "eglot")
(declare-function eglot--path-to-uri "eglot")
(declare-function eglot-path-to-uri "eglot")

(defun dfls--uri (file)
  "The URI of FILE, as eglot writes it."
  (if (fboundp 'eglot-path-to-uri) (eglot-path-to-uri file) (eglot--path-to-uri file)))

(defvar dfls-job-status nil
  "The last `dfls/jobStatus' notification: a plist with :item, :jobType, :status, ...")

(defun dfls--notify (format-string &rest args)
  "Show a message from dfls."
  (message "dfls: %s" (apply #'format format-string args)))

;; The jsonrpc error of a failed request, as a sentence.
(defun dfls--error-text (err)
  "The message of the jsonrpc error ERR."
  (or (alist-get 'jsonrpc-error-message (cdr err)) (format "%S" err)))

(defun dfls--request (command title &optional options)
  "Ask the dfls server to run COMMAND for the current buffer's item and return its answer (a plist).
OPTIONS (a plist) is sent beside the document's URI, with :target when `dfls-target' is set.  Signals a
`user-error' saying why when there is no server or the command failed; TITLE names it."
  (let ((server (and (fboundp 'eglot-current-server) (eglot-current-server))))
    (unless server
      (user-error "dfls: %s: no dfls language server manages this buffer (M-x eglot)" title))
    (let* ((settings (append (and dfls-target (not (plist-member options :target)) (list :target dfls-target))
                             options))
           (arguments (vconcat (list (dfls--uri (buffer-file-name))) (and settings (list settings)))))
      (condition-case err
          (jsonrpc-request server :workspace/executeCommand (list :command command :arguments arguments))
        (jsonrpc-error
         (if (eql (alist-get 'jsonrpc-error-code (cdr err)) -32601)
             (user-error "dfls: %s: this dfls does not run `%s' yet; a newer dfls does" title command)
           (user-error "dfls: %s failed: %s" title (dfls--error-text err))))))))

(defun dfls-execute (command title)
  "Ask the dfls server to run COMMAND (such as \"dfls.push\") on the current buffer's item.
TITLE names the action in messages.  The arguments are the document's URI and, when `dfls-target' is set,
{\"target\": TARGET}."
  (condition-case err
      (let ((result (dfls--request command title)))
        (dfls--notify "%s: %s" title
                      (cond ((stringp result) result)
                            ((and (listp result) (plist-get result :message)))
                            (t "done"))))
    (user-error (message "%s" (error-message-string err)))))

(defmacro dfls--define-command (name command title)
  "Define the interactive command NAME that runs the server's COMMAND, called TITLE."
  `(defun ,name ()
     ,(format "%s the current buffer's Dataflow item (the server's `%s')." title command)
     (interactive)
     (dfls-execute ,command ,title)))

(dfls--define-command dfls-push "dfls.push" "Push")
(dfls--define-command dfls-publish "dfls.publish" "Publish")
(dfls--define-command dfls-refresh "dfls.refresh" "Refresh")
(dfls--define-command dfls-status "dfls.status" "Show job status")
(dfls--define-command dfls-cancel "dfls.cancel" "Cancel")
(dfls--define-command dfls-pull "dfls.pull" "Pull")

;;; The Dataflow commands: list, parameters, schedules

(defun dfls--show (name lines)
  "Show LINES in the buffer `*dfls NAME*' (read-only, in another window) and return it."
  (let ((buffer (get-buffer-create (format "*dfls %s*" name))))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (mapconcat #'identity lines "\n") "\n"))
      (special-mode))
    (display-buffer buffer)
    buffer))

(defun dfls--lines (result)
  "The lines of RESULT's :message."
  (split-string (or (plist-get result :message) "") "\n"))

(defun dfls-list ()
  "Show the Dataflows of the workspace (name and newest job) in `*dfls Dataflows*' (the server's `dfls.list')."
  (interactive)
  (let ((result (dfls--request "dfls.list" "List")))
    (dfls--show "Dataflows" (cons (format "Dataflows on target `%s':" (plist-get result :target))
                                  (dfls--lines result)))))

(defun dfls-parameters (&optional name)
  "Show the public parameters of the current buffer's item, or of the Dataflow NAME, in `*dfls Parameters*'."
  (interactive (list (let ((name (read-string "Dataflow (empty: this buffer's item): ")))
                       (and (not (string-empty-p name)) name))))
  (let ((result (dfls--request "dfls.parameters" "Parameters" (and name (list :item name)))))
    (dfls--show "Parameters" (cons (format "Public parameters of `%s':" (plist-get result :displayName))
                                   (dfls--lines result)))))

(defconst dfls--schedule-actions '("list" "add" "set" "remove" "enable" "disable")
  "The actions of `dfls-schedule'.")

(defun dfls--schedule-lines (result)
  "The schedules of a `dfls.schedule' list RESULT as lines: id, on or off, in words, the next run."
  (let ((schedules (append (plist-get result :schedules) nil))
        (summaries (append (plist-get result :summaries) nil))
        (next-runs (append (plist-get result :nextRuns) nil)))
    (cons (format "%s schedules of `%s':" (plist-get result :jobType) (plist-get result :displayName))
          (if (null schedules)
              (dfls--lines result)
            (cl-loop for schedule in schedules
                     for summary in summaries
                     for next in next-runs
                     collect (format "%s  %s  %s%s" (plist-get schedule :id)
                                     (if (eq (plist-get schedule :enabled) t) "on " "off")
                                     summary (if (stringp next) (concat ", next " next) "")))))))

(defun dfls--read-schedule (action)
  "Ask which schedule of the current buffer's item ACTION is for (`completing-read'); return its id."
  (let* ((result (dfls--request "dfls.schedule" "Schedules" (list :action "list")))
         (lines (cdr (dfls--schedule-lines result)))
         (schedules (append (plist-get result :schedules) nil)))
    (unless schedules (user-error "dfls: %s" (plist-get result :message)))
    (let ((choice (completing-read (format "dfls: %s which schedule? " action) lines nil t)))
      (plist-get (nth (cl-position choice lines :test #'equal) schedules) :id))))

(defun dfls--read-timing ()
  "Ask how often a schedule runs; return the timing options of `dfls.schedule' as a plist."
  (let* ((kind (completing-read "dfls: how often? " '("every N minutes" "daily" "weekly" "monthly") nil t))
         (timing
          (pcase kind
            ("every N minutes" (list :every (read-number "Every how many minutes? " 60)))
            ("daily" (list :daily (read-string "At what times of day (hh:mm,...)? ")))
            ("weekly" (list :weekly (read-string "On which days (monday,...)? ")
                            :at (read-string "At what times of day (hh:mm,...)? ")))
            (_ (list :monthly (read-string "On which day (1-31, first-monday ...)? ")
                     :at (read-string "At what times of day (hh:mm,...)? "))))))
    (append timing (list :timeZone (read-string "Time zone (IANA or Windows id): " nil nil "UTC")))))

(defun dfls-schedule (action &optional options)
  "Run the schedule ACTION for the current buffer's item's refresh schedules (the server's `dfls.schedule').
ACTION is list, add, set, remove, enable or disable.  OPTIONS is a plist of the command's options: :id, and for
add and set the timing of `dfls schedule add' in camelCase (:daily \"08:00\" :timeZone \"Europe/Paris\", :every
60, :weekly ... :at ..., :monthly ... :at ..., :everyMonths, :start, :end, :disabled), :job \"publish\",
:toFolder t.  Interactively, the action, the schedule and the timing are asked with `completing-read'.  A list
shows in `*dfls Schedules*'; a change is reported in the echo area."
  (interactive (list (completing-read "dfls: schedules: " dfls--schedule-actions nil t nil nil "list")))
  (let ((options (copy-sequence options)))
    (when (and (member action '("set" "remove" "enable" "disable")) (not (plist-get options :id)))
      (setq options (plist-put options :id (dfls--read-schedule action))))
    (when (and (member action '("add" "set"))
               (not (cl-some (lambda (key) (plist-member options key)) '(:every :daily :weekly :monthly))))
      (setq options (append options (dfls--read-timing))))
    (let ((result (dfls--request "dfls.schedule" "Schedules" (append (list :action action) options))))
      (if (equal action "list")
          (dfls--show "Schedules" (dfls--schedule-lines result))
        (dfls--notify "Schedules: %s" (plist-get result :message)))
      result)))

(with-eval-after-load 'eglot
  (cl-defmethod eglot-handle-notification
    (_server (_method (eql dfls/jobStatus)) &rest params &key item jobType status failureReason
             &allow-other-keys)
    "Show a `dfls/jobStatus' notification and keep it in `dfls-job-status'."
    (setq dfls-job-status params)
    (dfls--notify "%s %s: %s%s" item jobType status
                  (if failureReason (format " (%s)" failureReason) ""))))

(provide 'dfls)
;;; dfls.el ends here
