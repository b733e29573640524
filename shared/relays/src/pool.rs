//! The open SMTP sessions to one relay, reused from one mail to the next: an idle session is
//! checked with NOOP after a second's rest and closed after a minute; one that broke, timed
//! out or was left out of step is never reused.
//!
//! Every socket has `TCP_NODELAY` ([`crate::session`]): a mail's envelope and its message
//! are each one write followed by a wait for the relay, and with Nagle's algorithm on, the
//! kernel could hold a short write until the relay acknowledges the last one, which a Linux
//! relay delays by 40 ms (docs/BENCHMARKS.md measured it with lettre's two writes per
//! message).

use crate::error::SendError;
use crate::session::{self, Endpoint, Session};
use crate::transaction::After;
use circulars_core::domain::{OutgoingMail, SmtpReply};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A session idle longer than this is checked with NOOP before it carries a mail.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);
/// A session idle longer than this is closed (relays close theirs after a few minutes).
const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(60);

/// Open sessions to one relay, reused from one mail to the next.
pub struct Pool {
    endpoint: Endpoint,
    hello: Option<String>,
    /// Idle sessions kept at most: the relay's connection cap in force for this process.
    keep: AtomicUsize,
    idle: Mutex<Vec<(Session, Instant)>>,
}

impl Pool {
    /// A pool for `endpoint`, empty until the first mail.
    pub fn new(endpoint: Endpoint) -> Pool {
        Pool {
            hello: session::hello_name(),
            keep: AtomicUsize::new(endpoint.keep),
            endpoint,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one mail over an idle session or a new one, each step within its timeout; the
    /// session is kept for the next mail unless it broke.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<SmtpReply, SendError> {
        let mut session = match self.idle_session().await {
            Some(session) => session,
            None => session::open(&self.endpoint, self.hello.as_deref()).await?,
        };
        // A session whose send is dropped half-way is dropped with it: never reused.
        let (result, after) = session.send(mail, &self.endpoint.timeouts).await;
        if after == After::Reusable {
            self.keep(session);
        }
        result
    }

    /// The most recently used idle session that still answers, closing stale ones.
    async fn idle_session(&self) -> Option<Session> {
        loop {
            let (mut session, since) = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()?;
            let idle = since.elapsed();
            if idle > CLOSE_AFTER_IDLE {
                continue;
            }
            if idle < CHECK_AFTER_IDLE || session.answers(self.endpoint.timeouts.setup).await {
                return Some(session);
            }
        }
    }

    /// Keeps at most `sessions` idle from now on, closing the longest idle beyond them, so
    /// that a lowered connection cap closes connections and does not merely leave them idle.
    pub fn set_keep(&self, sessions: usize) {
        self.keep.store(sessions, Ordering::SeqCst);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let beyond = idle.len().saturating_sub(sessions);
        idle.drain(..beyond);
    }

    fn keep(&self, session: Session) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.keep.load(Ordering::SeqCst) {
            idle.push((session, Instant::now()));
        }
    }
}
