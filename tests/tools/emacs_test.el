;;; emacs_test.el --- run by tests/tools/emacs.rs  -*- lexical-binding: t; -*-
;; Emacs in batch mode with Debian's eglot: load editors/emacs/dfls.el as a user does, open the broken
;; mashup.pq of an example item, start eglot from its registration, and assert the mode, the diagnostic,
;; completion, the REST commands (against the `dfls emulator' that the workspace's dfls.toml names) and the
;; JSON parts. `(kill-emacs 1)' after printing why on failure.

(require 'cl-lib)
(add-to-list 'load-path (getenv "DFLS_TEST_ELISP"))
(require 'eglot)  ; Debian's elpa-eglot, which site-start activates (so no -Q)
(require 'dfls)
(setq dfls-server-command (list (getenv "DFLS_TEST_BIN") "lsp"))
(setq eglot-sync-connect t)

(defun dfls-test-out (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n") #'external-debugging-output))

(defun dfls-test-wait (seconds predicate)
  "Run the event loop until PREDICATE is non-nil or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) seconds)) (value nil))
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun dfls-test-line-of (text)
  (save-excursion
    (goto-char (point-min))
    (unless (search-forward text nil t) (error "No %s in the buffer" text))
    (line-number-at-pos (match-beginning 0))))

(defun dfls-test-run ()
  (find-file (getenv "DFLS_TEST_FILE"))
  (unless (eq major-mode 'dfls-mode) (error "The major mode is %s, not dfls-mode" major-mode))
  (let ((contact (eglot--guess-contact)))
    (dfls-test-out "contact: %S" (nth 3 contact))
    (apply #'eglot contact))
  (unless (eglot-current-server) (error "eglot did not connect"))
  (dfls-test-out "server: %s" (eglot--project-nickname (eglot-current-server)))

  ;; Diagnostics: the misspelt query name, through flymake.
  (let* ((line (dfls-test-line-of "#\"Raw Ordrs\""))
         (found (dfls-test-wait
                 30 (lambda ()
                      (cl-find-if (lambda (d) (and (= (line-number-at-pos (flymake-diagnostic-beg d)) line)
                                                (string-match-p "M201" (flymake-diagnostic-text d))))
                                  (flymake-diagnostics))))))
    (unless found
      (error "No M201 on line %d within 30 s; flymake has %S" line
             (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
    (dfls-test-out "diagnostic: line %d: %s" line (flymake-diagnostic-text found)))

  ;; Completion at the end of `shared Extra = Table.AddCol', through eglot's completion-at-point.
  (goto-char (point-max))
  (let* ((capf (eglot-completion-at-point))
         (prefix (buffer-substring-no-properties (nth 0 capf) (nth 1 capf)))
         (candidates (all-completions prefix (nth 2 capf))))
    (unless (member "Table.AddColumn" candidates)
      (error "No Table.AddColumn among the completions of %S: %S" prefix candidates))
    (dfls-test-out "completion: %S -> Table.AddColumn" prefix))

  ;; Go to definition through xref: from a use of the step `#"Filtered rows"` (the first argument of
  ;; Table.TransformColumnTypes, on its own line) to its binding.
  (let ((target (dfls-test-line-of "  #\"Filtered rows\" = ")))
    (goto-char (point-min))
    (search-forward "    #\"Filtered")
    (xref-find-definitions (xref-backend-identifier-at-point (xref-find-backend)))
    (unless (= (line-number-at-pos) target)
      (error "Go to definition went to line %d, not %d" (line-number-at-pos) target))
    (dfls-test-out "definition: line %d" target))

  ;; The REST commands, run as the user runs them, against the `dfls emulator' that the workspace's dfls.toml
  ;; names (target `test', jobs of 0.3 s). Every message the user would see is kept.
  (let ((messages nil))
    (cl-letf (((symbol-function 'message)
               (lambda (format-string &rest args)
                 (when format-string (push (apply #'format format-string args) messages)))))
      (cl-flet ((shown (needle)
                  (or (dfls-test-wait 20 (lambda ()
                                           (cl-find-if (lambda (m) (string-search needle m)) messages)))
                      (error "No message with %s; got %S" needle messages))))
        ;; The item has errors: the server refuses to push it, and dfls.el shows why.
        (dfls-push)
        (let ((refused (shown "dfls: Push failed: ")))
          (unless (string-search "it was not pushed" refused) (error "Not a refusal: %s" refused))
          (dfls-test-out "push refused: %s" refused))

        ;; Fixed (the misspelt name, the unfinished last query) and saved, it is created on the target.
        (goto-char (point-min))
        (while (search-forward "#\"Raw Ordrs\"" nil t) (replace-match "#\"Raw Orders\"" t t))
        (goto-char (point-min))
        (when (search-forward "shared Extra = Table.AddCol" nil t)
          (delete-region (line-beginning-position) (point-max)))
        (save-buffer)
        (dfls-push)
        (let ((created (shown "dfls: Push: created `Sales Orders` (")))
          (unless (string-search "(target `test`)" created) (error "Not on target test: %s" created))
          (dfls-test-out "push: %s" created))

        ;; The Dataflow commands: the workspace's Dataflows and the item's parameters in buffers; a refresh
        ;; schedule added, listed, then disabled through `completing-read' as a user picks it.
        (cl-flet ((shown-in (name needle)
                    (let ((text (with-current-buffer (format "*dfls %s*" name) (buffer-string))))
                      (unless (string-search needle text) (error "No %s in *dfls %s*: %s" needle name text))
                      text)))
          (dfls-list)
          (dfls-test-out "list: %s" (shown-in "Dataflows" "Sales Orders  ("))
          (dfls-parameters)
          (dfls-test-out "parameters: %s" (shown-in "Parameters" "Region: String, optional"))
          (dfls-schedule "add" '(:daily "08:00" :timeZone "Europe/Paris"))
          (dfls-test-out "schedule: %s" (shown "dfls: Schedules: `Sales Orders`: "))
          (dfls-schedule "list")
          (dfls-test-out "schedules: %s"
                         (shown-in "Schedules" "daily at 08:00 (Romance Standard Time), next "))
          (cl-letf (((symbol-function 'completing-read)
                     (lambda (_prompt collection &rest _) (if (member "disable" collection) "disable"
                                                            (car collection)))))
            (call-interactively #'dfls-schedule))
          (dfls-schedule "list")
          (dfls-test-out "disabled: %s" (shown-in "Schedules" "off  daily at 08:00"))
          (condition-case err
              (progn (dfls-schedule "add" '(:daily "08:00" :timeZone "Mars/Olympus"))
                     (error "An unknown time zone was accepted"))
            (user-error (dfls-test-out "refused: %s" (error-message-string err))
                        (unless (string-search "is not a time zone" (error-message-string err))
                          (error "Not the time zone's sentence: %s" (error-message-string err))))))

        ;; Refresh: the answer at once, then the job's states as dfls/jobStatus notifications up to Completed,
        ;; kept in `dfls-job-status', and the server's message at the end.
        (dfls-refresh)
        (dfls-test-out "refresh: %s"
                       (shown "dfls: Refresh: refresh of `Sales Orders` started on target `test` (job "))
        (unless (dfls-test-wait 20 (lambda () (equal (plist-get dfls-job-status :status) "Completed")))
          (error "No Completed job status; the last: %S; %S" dfls-job-status messages))
        (unless (and (equal (plist-get dfls-job-status :item) "Sales Orders")
                     (equal (plist-get dfls-job-status :jobType) "Execute"))
          (error "Not the refresh of Sales Orders: %S" dfls-job-status))
        (dfls-test-out "job status: %s" (shown "dfls: Sales Orders Execute: Completed"))
        (dfls-test-out "refresh: %s" (shown "Refresh `Sales Orders`: Completed")))))

  ;; The item's JSON parts get dfls-json-mode and the same server.
  (find-file (expand-file-name ".platform" (getenv "DFLS_TEST_ITEM")))
  (unless (eq major-mode 'dfls-json-mode) (error ".platform is in %s" major-mode))
  (unless (eq (car (nth 3 (eglot--guess-contact))) (car dfls-server-command))
    (error "eglot would not start dfls for .platform"))
  (dfls-test-out "json: .platform in dfls-json-mode"))

(condition-case err
    (progn (dfls-test-run) (dfls-test-out "ok") (kill-emacs 0))
  (error (dfls-test-out "FAILED: %s" (error-message-string err)) (kill-emacs 1)))
