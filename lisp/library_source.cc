// The part of the standard library written in the language itself: function
// combinators, the lazy sequences, pattern matching, records and the
// original dialect's kits (state machines, actors, subjects, buses, event
// stores, strategies, decorators, visitors, pipelines, transducers). It is
// compiled once per process (lisp_layer.cc) and shared by every program.
//
// Each chunk is compiled and run before the next, so a later chunk (the
// macros) may call anything an earlier one defined. Names starting with '%'
// are internal: programs cannot see them in `vigy check` listings.
#include "lisp/library_source.h"

namespace vigy::lisp {

namespace {

constexpr std::string_view kFunctions = R"lisp(
;; ---- combinators ----
(define (const x) (lambda (&rest ignored) x))
(define (flip f) (lambda (a b) (f b a)))
(define (compose &rest fs)
  (if (null? fs)
      identity
      (let ((inner (apply compose (cdr fs))) (outer (car fs)))
        (lambda (&rest args) (outer (apply inner args))))))
(define (pipe &rest fs) (apply compose (reverse fs)))
(define (juxt &rest fs)
  (lambda (&rest args) (map (lambda (f) (apply f args)) fs)))
(define (tap f x) (f x) x)
(define (unwrap-or v fallback) (if (null? v) fallback v))
(define (memoize f)
  (let ((cache (hash-map)))
    (lambda (&rest args)
      (let ((key (pr-str args)))
        (if (hash-map-has? cache key)
            (hash-map-get cache key)
            (let ((v (apply f args)))
              (set! cache (hash-map-set cache key v))
              v))))))

;; ---- lazy sequences: nil, or (head promise-of-rest) ----
(define (lazy-empty) nil)
(define (lazy-empty? s) (null? s))
(define (lazy-head s) (car s))
(define (lazy-rest s) (force (second s)))
(define (lazy-take n s)
  (let loop ((n n) (s s) (acc (list)))
    (if (or (<= n 0) (null? s))
        (reverse acc)
        (loop (- n 1) (lazy-rest s) (cons (car s) acc)))))
(define (lazy-drop n s)
  (if (or (<= n 0) (null? s)) s (lazy-drop (- n 1) (lazy-rest s))))
(define (realize s)
  (let loop ((s s) (acc (list)))
    (if (null? s) (reverse acc) (loop (lazy-rest s) (cons (car s) acc)))))
(define (lazy-map f s)
  (if (null? s) nil (list (f (car s)) (delay (lazy-map f (lazy-rest s))))))
(define (lazy-filter keep? s)
  (cond ((null? s) nil)
        ((keep? (car s)) (list (car s) (delay (lazy-filter keep? (lazy-rest s)))))
        (else (lazy-filter keep? (lazy-rest s)))))
(define (iterate-lazy f x) (list x (delay (iterate-lazy f (f x)))))
(define (repeat-lazy x) (list x (delay (repeat-lazy x))))
(define (%cycle-from all remaining)
  (if (null? remaining)
      (%cycle-from all all)
      (list (car remaining) (delay (%cycle-from all (cdr remaining))))))
(define (cycle xs) (if (null? xs) nil (%cycle-from xs xs)))

;; ---- records ----
(define (record-keyword field) (string->keyword (symbol->string field)))
(define (record-field-accessor record-name field)
  (string->symbol (string-append (symbol->string record-name) "-" (symbol->string field))))
(define (record-field-setter record-name field)
  (string->symbol (string-append (symbol->string record-name) "-set-" (symbol->string field))))

;; ---- pattern matching: each pattern becomes (test bindings) ----
(define (%match-pattern value pattern)
  (cond ((equal? pattern '_) (list #t (list)))
        ((symbol? pattern) (list #t (list (list pattern value))))
        ((or (number? pattern) (string? pattern) (boolean? pattern) (keyword? pattern)
             (null? pattern))
         (list (list 'equal? value pattern) (list)))
        ((and (pair? pattern) (equal? (car pattern) 'quote))
         (list (list 'equal? value pattern) (list)))
        ((and (pair? pattern) (equal? (car pattern) '?))
         (list (list (second pattern) value)
               (if (null? (cdr (cdr pattern))) (list) (list (list (third pattern) value)))))
        ((pair? pattern) (%match-list value pattern))
        (else (throw (error :match "unsupported pattern shape")))))
(define (%match-list value patterns)
  (let loop ((ps patterns) (i 0) (tests (list)) (binds (list)))
    (if (null? ps)
        (list (cons 'and (cons (list 'list? value)
                               (cons (list '= (list 'length value) (length patterns))
                                     (reverse tests))))
              binds)
        (let ((sub (%match-pattern (list 'nth i value) (car ps))))
          (loop (cdr ps) (+ i 1) (cons (car sub) tests) (append binds (second sub)))))))
(define (%match-clauses value clauses)
  (if (null? clauses)
      nil
      (let ((pattern (car (car clauses))) (body (cdr (car clauses))))
        (if (equal? pattern 'else)
            (cons 'begin body)
            (let ((compiled (%match-pattern value pattern)))
              (list 'if (car compiled)
                    (cons 'let (cons (second compiled) body))
                    (%match-clauses value (cdr clauses))))))))

;; ---- state machines: a closure over the current state and history ----
(define (sm-spec &rest kvs) (cons :sm-spec kvs))
(define (sm-spec? s) (and (pair? s) (equal? (car s) :sm-spec)))
(define (sm-spec-get s key) (plist-get (cdr s) key))
(define (%sm-row rows state event)
  (find (lambda (row) (and (equal? (car row) state) (equal? (second row) event))) rows))
(define (%run-for entries key &rest args)
  (for-each (lambda (entry) (when (equal? (car entry) key) (apply (second entry) args))) entries))
(define (make-sm spec)
  (let* ((initial (sm-spec-get spec :initial))
         (rows (or (sm-spec-get spec :transitions) (list)))
         (on-enter (or (sm-spec-get spec :on-enter) (list)))
         (on-exit (or (sm-spec-get spec :on-exit) (list)))
         (on-event (or (sm-spec-get spec :on-event) (list)))
         (current initial)
         (history (list initial)))
    (%run-for on-enter current current)
    (lambda (message &rest args)
      (cond
        ((equal? message :send)
         (let* ((event (car args))
                (payload (if (null? (cdr args)) nil (second args)))
                (row (%sm-row rows current event)))
           (if (null? row)
               current
               (let ((next (safe-nth 2 row)) (guard (safe-nth 3 row)) (action (safe-nth 4 row)))
                 (if (and guard (not (guard current event payload)))
                     current
                     (begin
                       (%run-for on-exit current current)
                       (when action (action current event payload))
                       (%run-for on-event event event payload)
                       (set! current next)
                       (set! history (cons next history))
                       (%run-for on-enter current current)
                       current))))))
        ((equal? message :current) current)
        ((equal? message :history) history)
        ((equal? message :reset!)
         (set! current initial)
         (set! history (list initial))
         (%run-for on-enter current current)
         current)
        ((equal? message :can?) (not (null? (%sm-row rows current (car args)))))
        (else (error-msg "unknown SM message"))))))
(define (sm-send sm event &rest args) (apply sm :send event args))
(define (sm-current sm) (sm :current))
(define (sm-history sm) (sm :history))
(define (sm-reset! sm) (sm :reset!))
(define (sm-can? sm event) (sm :can? event))

;; ---- actors: a mailbox and a state, one message per step ----
(define (make-actor initial-state behavior)
  (let ((state initial-state) (mailbox (list)))
    (lambda (message &rest args)
      (cond
        ((equal? message :tell) (set! mailbox (append mailbox (list (car args)))) state)
        ((equal? message :step!)
         (when (not (null? mailbox))
           (let ((next (car mailbox)))
             (set! mailbox (cdr mailbox))
             (set! state (behavior state next))))
         state)
        ((equal? message :state) state)
        ((equal? message :mailbox) mailbox)
        ((equal? message :empty?) (null? mailbox))))))
(define (actor-tell a message) (a :tell message))
(define (actor-step! a) (a :step!))
(define (actor-state a) (a :state))
(define (actor-empty? a) (a :empty?))
(define (actor-drain! a)
  (if (actor-empty? a) (actor-state a) (begin (actor-step! a) (actor-drain! a))))
(define (actor-run! a n)
  (if (or (<= n 0) (actor-empty? a)) (actor-state a) (begin (actor-step! a) (actor-run! a (- n 1)))))

;; ---- subjects (publish/subscribe) ----
(define (make-subject)
  (let ((subscribers (list)))
    (lambda (message &rest args)
      (cond
        ((equal? message :subscribe!) (set! subscribers (cons (car args) subscribers)) (car args))
        ((equal? message :unsubscribe!)
         (set! subscribers (remove (lambda (f) (eq? f (car args))) subscribers))
         nil)
        ((equal? message :emit!) (for-each (lambda (f) (f (car args))) subscribers) nil)
        ((equal? message :subs) subscribers)))))
(define (subject-subscribe! s f) (s :subscribe! f))
(define (subject-unsubscribe! s f) (s :unsubscribe! f))
(define (subject-emit! s message) (s :emit! message))

;; ---- command and query bus ----
(define (%bus-dispatch handlers kind name args)
  (let ((entry (find (lambda (h) (equal? (car h) name)) handlers)))
    (if (null? entry)
        (error-msg (string-append "no " kind ": " (keyword->string name)))
        (apply (second entry) args))))
(define (make-bus)
  (let ((commands (list)) (queries (list)))
    (lambda (message &rest args)
      (cond
        ((equal? message :register-command!)
         (set! commands (cons (list (car args) (second args)) commands))
         (car args))
        ((equal? message :register-query!)
         (set! queries (cons (list (car args) (second args)) queries))
         (car args))
        ((equal? message :dispatch-command) (%bus-dispatch commands "command" (car args) (cdr args)))
        ((equal? message :dispatch-query) (%bus-dispatch queries "query" (car args) (cdr args)))))))
(define (register-command! bus name f) (bus :register-command! name f))
(define (register-query! bus name f) (bus :register-query! name f))
(define (dispatch-command bus name &rest args) (apply bus :dispatch-command name args))
(define (dispatch-query bus name &rest args) (apply bus :dispatch-query name args))

;; ---- event store ----
(define (make-event-store)
  (let ((events (list)))
    (lambda (message &rest args)
      (cond
        ((equal? message :append!) (set! events (append events (list (car args)))) (car args))
        ((equal? message :history) events)
        ((equal? message :project) (foldl (car args) (second args) events))))))
(define (event-append! store event) (store :append! event))
(define (event-history store) (store :history))
(define (event-project store fold init) (store :project fold init))

;; ---- strategy, decorator, visitor ----
(define (make-strategy &rest kvs)
  (lambda (variant &rest args)
    (let ((f (or (plist-get kvs variant) (plist-get kvs :default))))
      (if (null? f) (error-msg "no strategy variant matched + no :default") (apply f args)))))
(define (strategy-call s variant &rest args) (apply s variant args))
(define (decorate f &rest kvs)
  (let ((before (plist-get kvs :before)) (after (plist-get kvs :after)) (around (plist-get kvs :around)))
    (lambda (&rest args)
      (if around
          (apply around f args)
          (begin
            (when before (apply before args))
            (let ((result (apply f args)))
              (when after (apply after result args))
              result))))))
(define (make-visitor &rest kvs)
  (lambda (tagged)
    (if (null? tagged)
        nil
        (let ((f (or (plist-get kvs (car tagged)) (plist-get kvs :default))))
          (if (null? f) (error-msg "no visitor matched tag") (apply f (cdr tagged)))))))
(define (visit v tagged) (v tagged))

;; ---- pipelines with stage hooks ----
(define (make-pipeline stages)
  (let ((hooks (list)))
    (lambda (message &rest args)
      (cond
        ((equal? message :run!)
         (foldl (lambda (input stage)
                  (let ((output ((second stage) input)))
                    (for-each (lambda (hook)
                                (when (or (equal? (car hook) :any-stage) (equal? (car hook) (car stage)))
                                  ((second hook) (car stage) input output)))
                              hooks)
                    output))
                (car args)
                stages))
        ((equal? message :on-stage!) (set! hooks (cons (list (car args) (second args)) hooks)) nil)
        ((equal? message :stages) stages)))))
(define (pipeline-run! p init) (p :run! init))
(define (pipeline-on-stage! p stage hook) (p :on-stage! stage hook))

;; ---- finite-state transducers (rows: state input next output) ----
(define (make-transducer &rest kvs)
  (let ((current (plist-get kvs :initial)) (rows (or (plist-get kvs :transitions) (list))))
    (lambda (message &rest args)
      (cond
        ((equal? message :feed!)
         (let ((row (%sm-row rows current (car args))))
           (if (null? row)
               nil
               (begin (set! current (third row)) (fourth row)))))
        ((equal? message :state) current)))))
(define (transducer-feed! t input) (t :feed! input))
(define (transducer-state t) (t :state))
(define (transducer-run! t inputs) (map (lambda (input) (transducer-feed! t input)) inputs))
)lisp";

constexpr std::string_view kMacros = R"lisp(
(defmacro comment (&rest ignored) nil)
(defmacro doseq (binding &rest body) `(dolist ,binding ,@body))
(defmacro unless-let (binding &rest body)
  `(let ((,(car binding) ,(second binding))) (if ,(car binding) nil (begin ,@body))))
(defmacro with-gensyms (names &rest body)
  `(let ,(map (lambda (n) (list n (list 'gensym (symbol->string n)))) names) ,@body))
(defmacro defflow (name &rest fs) `(define ,name (pipe ,@fs)))
(defmacro lazy-cons (head tail) `(list ,head (delay ,tail)))
(defmacro match (expr &rest clauses)
  (let ((value (gensym "match")))
    `(let ((,value ,expr)) ,(%match-clauses value clauses))))
(defmacro defsm (name &rest kvs) `(define ,name (make-sm (sm-spec ,@kvs))))
(defmacro defactor (name initial behavior) `(define ,name (make-actor ,initial ,behavior)))
(defmacro defcommand (bus name params &rest body)
  `(register-command! ,bus ,name (lambda ,params ,@body)))
(defmacro defquery (bus name params &rest body)
  `(register-query! ,bus ,name (lambda ,params ,@body)))
(defmacro defstrategy (name &rest kvs) `(define ,name (make-strategy ,@kvs)))
(defmacro defvisitor (name &rest kvs) `(define ,name (make-visitor ,@kvs)))
(defmacro define-record (name fields)
  (let* ((type-key (record-keyword name))
         (text (symbol->string name))
         (maker (string->symbol (string-append "make-" text)))
         (predicate (string->symbol (string-append text "?")))
         (to-map (string->symbol (string-append text "->map")))
         (pairs (apply append (map (lambda (f) (list (record-keyword f) f)) fields))))
    `(begin
       (define (,maker ,@fields) (hash-map :tatara-record-type ,type-key ,@pairs))
       (define (,predicate v)
         (and (hash-map? v) (equal? (hash-map-get v :tatara-record-type) ,type-key)))
       (define (,to-map r) r)
       ,@(map (lambda (f)
                `(define (,(record-field-accessor name f) r) (hash-map-get r ,(record-keyword f))))
              fields)
       ,@(map (lambda (f)
                `(define (,(record-field-setter name f) r v) (hash-map-set r ,(record-keyword f) v)))
              fields))))
)lisp";

constexpr std::string_view kChunks[] = {kFunctions, kMacros};

}  // namespace

std::span<const std::string_view> LibrarySourceChunks() { return kChunks; }

}  // namespace vigy::lisp
