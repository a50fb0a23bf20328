//! Cooperative cancellation of long computations, as salsa and rust-analyzer do it.
//!
//! The language server runs a request or a check under a [`Token`] ([`run`]); when the client cancels the
//! request (`$/cancelRequest`) or an edit makes the result useless (a newer version of the document), the
//! server cancels the token. Long loops in the pure core (the parse, the name analysis, the item check,
//! the formatter, semantic tokens) call [`checkpoint`], which unwinds with [`Cancelled`] once the token of
//! the current thread is cancelled; [`run`] catches that unwind and reports it. Code that runs outside
//! [`run`] (`dfls check`, tests) has no token: [`checkpoint`] costs one thread-local read and never
//! unwinds. A token can also carry a deadline ([`Token::within`]), for work that must end in time.
//!
//! The unwind does not go through the panic hook ([`std::panic::resume_unwind`]), so a cancellation prints
//! nothing. Every value a cancelled computation was building is dropped; shared state is only ever changed
//! after a computation returns, so nothing is left half-done.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A flag that one side sets and the computation polls, and optionally a time after which the computation
/// counts as cancelled too. Clones share the flag. A child ([`Token::child`]) is cancelled with its parent,
/// but cancelling the child leaves the parent alone.
#[derive(Debug, Clone, Default)]
pub struct Token {
    flag: Arc<AtomicBool>,
    parent: Option<Arc<Token>>,
    deadline: Option<Instant>,
}

impl Token {
    pub fn new() -> Token {
        Token::default()
    }

    /// A token cancelled with this one, or when `budget` has passed from now: for work that must end in
    /// time whatever its input (the checker's parse of a file whose syntax errors are too many for
    /// tree-sitter's recovery to finish).
    pub fn within(&self, budget: Duration) -> Token {
        let deadline = Instant::now() + budget;
        Token {
            flag: self.flag.clone(),
            parent: self.parent.clone(),
            deadline: Some(self.deadline.map_or(deadline, |d| d.min(deadline))),
        }
    }

    /// A token cancelled with this one, whose own cancellation does not reach this one: for one
    /// request's share of work that others share too (a pull of an item's diagnostics runs under the
    /// item's token, and the client dropping that pull must not cancel the item's checks).
    pub fn child(&self) -> Token {
        Token { flag: Arc::default(), parent: Some(Arc::new(self.clone())), deadline: self.deadline }
    }

    /// Asks every computation running under this token to stop at its next checkpoint.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.is_cancelled_by_flag() || self.deadline.is_some_and(|deadline| Instant::now() >= deadline)
    }

    /// Whether it was cancelled by its flag or an ancestor's (rather than by its deadline).
    pub fn is_cancelled_by_flag(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
            || self.parent.as_ref().is_some_and(|parent| parent.is_cancelled_by_flag())
    }
}

/// The token of the computation running on this thread (a fresh one when none runs), to derive a token
/// from ([`Token::within`]) that a cancellation of the running computation still reaches.
pub fn current() -> Token {
    CURRENT.with(|current| current.borrow().clone()).unwrap_or_default()
}

/// The unwind payload of a cancelled computation.
#[derive(Debug)]
pub struct Cancelled;

thread_local! {
    /// The token of the computation running on this thread, if any.
    static CURRENT: RefCell<Option<Token>> = const { RefCell::new(None) };
}

/// Runs `work` on this thread under `token`: `Err(Cancelled)` when it stopped at a checkpoint because the
/// token was cancelled. Any other panic goes on unwinding. Runs nest: the inner token applies inside.
pub fn run<T>(token: &Token, work: impl FnOnce() -> T) -> Result<T, Cancelled> {
    let previous = CURRENT.with(|current| current.replace(Some(token.clone())));
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    CURRENT.with(|current| *current.borrow_mut() = previous);
    match outcome {
        Ok(value) => Ok(value),
        Err(payload) if payload.is::<Cancelled>() => Err(Cancelled),
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Whether the computation running on this thread has been cancelled (for callbacks that must return a
/// flag rather than unwind, such as tree-sitter's progress callback).
pub fn is_cancelled() -> bool {
    CURRENT.with(|current| current.borrow().as_ref().is_some_and(Token::is_cancelled))
}

/// Stops the computation running on this thread if it has been cancelled: unwinds with [`Cancelled`],
/// which [`run`] catches. Call it in loops whose length grows with the input.
pub fn checkpoint() {
    if is_cancelled() {
        stop();
    }
}

/// Stops the computation running on this thread as a cancellation does (unwinding with [`Cancelled`],
/// which [`run`] catches), for a computation that decides by itself that it must not go on.
pub fn stop() -> ! {
    panic::resume_unwind(Box::new(Cancelled))
}

/// Waits for `duration`, stopping early (by unwinding, as [`checkpoint`] does) when the computation is
/// cancelled. For the language server's test hooks, which stand in for long work.
pub fn sleep(duration: std::time::Duration) {
    let end = std::time::Instant::now() + duration;
    while std::time::Instant::now() < end {
        checkpoint();
        let left = end.saturating_duration_since(std::time::Instant::now());
        std::thread::sleep(std::time::Duration::from_millis(2).min(left));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_cancelled_with_its_parent_and_alone_without_it() {
        let parent = Token::new();
        let child = parent.child();
        child.cancel();
        assert!(child.is_cancelled());
        assert!(!parent.is_cancelled(), "the child's cancellation reached the parent");
        let other = parent.child();
        parent.cancel();
        assert!(other.is_cancelled() && other.within(Duration::from_secs(60)).is_cancelled());
    }

    #[test]
    fn a_cancelled_token_stops_the_work_at_its_next_checkpoint() {
        let token = Token::new();
        let mut steps = 0;
        let outcome = run(&token, || {
            for step in 0..100 {
                if step == 10 {
                    token.cancel();
                }
                checkpoint();
                steps += 1;
            }
        });
        assert!(outcome.is_err());
        assert_eq!(steps, 10);
        // Outside `run` nothing is cancelled.
        assert!(!is_cancelled());
        checkpoint();
    }

    #[test]
    fn work_that_is_not_cancelled_returns_its_value_and_other_panics_go_on() {
        assert_eq!(run(&Token::new(), || 42).ok(), Some(42));
        let other = panic::catch_unwind(|| run(&Token::new(), || panic!("a bug")));
        assert!(other.is_err());
        assert!(!is_cancelled());
    }

    #[test]
    fn nested_runs_restore_the_outer_token() {
        let outer = Token::new();
        let inner = Token::new();
        inner.cancel();
        let result = run(&outer, || {
            assert!(run(&inner, checkpoint).is_err());
            // Back under the outer token, which is not cancelled.
            checkpoint();
            7
        });
        assert_eq!(result.ok(), Some(7));
    }

    #[test]
    fn a_token_with_a_deadline_stops_the_work_then_and_still_follows_its_parent() {
        let parent = Token::new();
        let timed = parent.within(Duration::from_millis(20));
        let outcome = run(&timed, || loop {
            checkpoint();
        });
        assert!(outcome.is_err() && !timed.is_cancelled_by_flag());
        let later = parent.within(Duration::from_secs(3600));
        assert!(!later.is_cancelled());
        parent.cancel();
        assert!(later.is_cancelled() && later.is_cancelled_by_flag());
    }
}
