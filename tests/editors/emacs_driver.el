;;; emacs_driver.el --- drives Emacs (batch) through a run as a user would  -*- lexical-binding: t -*-
;; Loaded after the documented configuration. Opens $COC_PROGRAM, waits as the command loop would
;; (running `post-command-hook' between waits, which batch mode has no command loop to run), picks
;; "Run as Chain of Code" from `eglot-code-actions' as a user types it, and writes what it saw to
;; $COC_TRANSCRIPT, ending with a line "RESULT {json}".
(require 'json)
(require 'cl-lib)

(defvar coc-e2e-started (float-time))
(defvar coc-e2e-file (getenv "COC_TRANSCRIPT"))
(defvar coc-e2e-result nil "Alist of what was seen, written as JSON at the end.")
(defvar coc-e2e-shown nil "The window/showMessage texts eglot handled, newest first.")
(defvar coc-e2e-echoed nil "What went to the echo area, newest first.")

(defun coc-e2e-elapsed () (- (float-time) coc-e2e-started))

(defun coc-e2e-log (kind text)
  (write-region (format "%6.2f %s: %s\n" (coc-e2e-elapsed) kind text) nil coc-e2e-file t 'silent))

(defun coc-e2e-put (key value) (push (cons key value) coc-e2e-result))

(advice-add 'message :filter-return
            (lambda (text) (when (stringp text) (push text coc-e2e-echoed) (coc-e2e-log "echo" text)) text))
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'window/showMessage) (push (plist-get params :message) coc-e2e-shown))))

(defun coc-e2e-wait (what seconds found)
  "Wait up to SECONDS for FOUND to return non-nil, as an idle command loop would."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall found))) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (run-hooks 'post-command-hook))
    (coc-e2e-log (if value "seen" "TIMED OUT") what)
    value))

(defun coc-e2e-semantic-diagnostic ()
  (cl-find-if (lambda (d) (string-match-p "`is_sarcastic`.*the LM will emulate" (flymake-diagnostic-text d)))
              (flymake-diagnostics)))

(defun coc-e2e-hints (server)
  "Inlay hint labels as (LINE . TEXT): the overlays of `eglot-inlay-hints-mode' where eglot has
it; else (eglot 1.9) the labels the server sends when eglot's connection asks for them."
  (if (fboundp 'eglot-inlay-hints-mode)
      (let (found)
        (dolist (ov (overlays-in (point-min) (point-max)) found)
          (when (overlay-get ov 'eglot--inlay-hint)
            (push (cons (1- (line-number-at-pos (overlay-start ov)))
                        (string-trim (substring-no-properties
                                      (or (overlay-get ov 'before-string) (overlay-get ov 'after-string) ""))))
                  found))))
    (mapcar (lambda (hint)
              (let ((label (plist-get hint :label)))
                (cons (plist-get (plist-get hint :position) :line)
                      (if (stringp label) label
                        (mapconcat (lambda (part) (plist-get part :value)) label "")))))
            (jsonrpc-request server :textDocument/inlayHint
                             (list :textDocument (eglot--TextDocumentIdentifier)
                                   :range (list :start (eglot--pos-to-lsp-position (point-min))
                                                :end (eglot--pos-to-lsp-position (point-max))))))))

(defun coc-e2e-steps ()
  (find-file (getenv "COC_PROGRAM"))
  (coc-e2e-log "buffer" (format "%s major-mode=%s eglot %s" (buffer-file-name) major-mode
                                (or (ignore-errors (package-get-version)) (bound-and-true-p eglot-version)
                                    (let ((lib (locate-library "eglot"))) lib))))
  (coc-e2e-put 'emacs emacs-version)
  (coc-e2e-put 'inlay_hints_mode (fboundp 'eglot-inlay-hints-mode))
  (unless (coc-e2e-wait "eglot managing the buffer" 15
                        (lambda () (and (bound-and-true-p eglot--managed-mode) (eglot-current-server))))
    (error "eglot did not start"))
  (coc-e2e-put 'attached t)
  (let ((server (eglot-current-server)))
    (let ((diagnostic (coc-e2e-wait "a diagnostic on the emulated call" 15 #'coc-e2e-semantic-diagnostic)))
      (dolist (d (flymake-diagnostics))
        (coc-e2e-log "diagnostic" (format "line %d %s" (1- (line-number-at-pos (flymake-diagnostic-beg d)))
                                          (flymake-diagnostic-text d))))
      (when diagnostic
        (coc-e2e-put 'diagnostic `((line . ,(1- (line-number-at-pos (flymake-diagnostic-beg diagnostic))))
                                   (message . ,(flymake-diagnostic-text diagnostic))))))
    ;; M-x eglot-code-actions RET, then the action's title typed at the prompt.
    (goto-char (point-min))
    (let* ((offered nil)
           (completing-read-function
            (lambda (prompt collection &rest _)
              (setq offered (all-completions "" collection))
              (coc-e2e-log "prompt" (format "%s %S" prompt offered))
              "Run as Chain of Code"))
           (last-nonmenu-event 13)
           (sent (float-time))
           (reply (condition-case err (list 'ok (call-interactively #'eglot-code-actions))
                    (error (list 'error (error-message-string err))))))
      (coc-e2e-put 'reply_time (float-time))
      (coc-e2e-log "code action" (format "%S after %.2f s" reply (- (float-time) sent)))
      (coc-e2e-put 'actions (or offered []))
      (coc-e2e-put 'command_seconds (- (float-time) sent))
      (coc-e2e-put 'command_error (and (eq (car reply) 'error) (cadr reply)))
      (coc-e2e-put 'command_accepted (and (eq (car reply) 'ok) (eq (plist-get (cadr reply) :accepted) t))))
    (let ((shown (coc-e2e-wait "the run's finish message" 35 (lambda () (car coc-e2e-shown)))))
      (coc-e2e-put 'finish_message shown)
      (coc-e2e-put 'echoed (cl-find-if (lambda (text) (string-match-p "Server reports" text)) coc-e2e-echoed)))
    (let ((hints (coc-e2e-wait "inlay hints" 10 (lambda () (coc-e2e-hints server)))))
      (dolist (h hints) (coc-e2e-log "inlay hint" (format "line %d %s" (car h) (cdr h))))
      (coc-e2e-put 'hints (vconcat (mapcar (lambda (h) `((line . ,(car h)) (label . ,(cdr h)))) hints))))
    ;; What eldoc shows at the call: eglot's hover function, as eldoc calls it.
    (goto-char (point-min))
    (forward-line (string-to-number (getenv "COC_HOVER_LINE")))
    (search-forward "is_sarcastic(")
    (backward-char 3)
    (let (hover)
      (eglot-hover-eldoc-function (lambda (doc &rest _) (setq hover (or doc "")) t))
      (coc-e2e-wait "the hover" 10 (lambda () hover))
      (coc-e2e-log "hover" (format "%s" hover))
      (coc-e2e-put 'hover (and hover (substring-no-properties hover))))
    ;; The documented helper: M-x coc-run answers at once with the run accepted.
    (let* ((sent (float-time))
           (reply (condition-case err (list 'ok (call-interactively #'coc-run))
                    (error (list 'error (error-message-string err))))))
      (coc-e2e-log "M-x coc-run" (format "%S after %.2f s" reply (- (float-time) sent)))
      (coc-e2e-put 'coc_run (if (eq (car reply) 'ok) (plist-get (cadr reply) :accepted) (cadr reply))))))

(let ((ok (condition-case err (progn (coc-e2e-steps) t)
            (error (coc-e2e-log "ERROR" (error-message-string err))
                   (coc-e2e-put 'error (error-message-string err))
                   nil))))
  (let ((server (ignore-errors (with-current-buffer (get-file-buffer (getenv "COC_PROGRAM")) (eglot-current-server)))))
    (when server
      (with-current-buffer (jsonrpc-events-buffer server)
        (write-region (concat "== eglot's events buffer\n" (buffer-string) "== end of events\n")
                      nil coc-e2e-file t 'silent))))
  (write-region (concat "RESULT " (json-encode coc-e2e-result) "\n") nil coc-e2e-file t 'silent)
  (kill-emacs (if ok 0 1)))
