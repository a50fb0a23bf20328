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
;; current buffer's item.
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

(defun dfls-execute (command title)
  "Ask the dfls server to run COMMAND (such as \"dfls.push\") on the current buffer's item.
TITLE names the action in messages.  The arguments are the document's URI and, when `dfls-target' is set,
{\"target\": TARGET}."
  (let ((server (and (fboundp 'eglot-current-server) (eglot-current-server))))
    (if (not server)
        (dfls--notify "%s: no dfls language server manages this buffer (M-x eglot)" title)
      (let ((arguments (vconcat (list (dfls--uri (buffer-file-name)))
                                (and dfls-target (list (list :target dfls-target))))))
        (condition-case err
            (let ((result (jsonrpc-request server :workspace/executeCommand
                                           (list :command command :arguments arguments))))
              (dfls--notify "%s: %s" title
                            (cond ((stringp result) result)
                                  ((and (listp result) (plist-get result :message)))
                                  (t "done"))))
          (jsonrpc-error
           (let* ((data (cdr err))
                  (code (alist-get 'jsonrpc-error-code data))
                  (message (alist-get 'jsonrpc-error-message data)))
             (if (eql code -32601)
                 (dfls--notify "%s: this dfls does not run `%s' yet; a newer dfls does" title command)
               (dfls--notify "%s failed: %s" title (or message err))))))))))

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
