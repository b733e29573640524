//! The bounce mailbox: reads returned mail from an IMAP folder (`[bounces.mailbox]`), for sites
//! whose bounces land in a mailbox rather than at the tracker's own SMTP listener.
//!
//! One poll ([`poll_once`]) connects (implicit TLS, STARTTLS or plain, as configured), logs in,
//! selects the folder and takes the messages not yet flagged `\Deleted` one at a time, oldest
//! first:
//! - a message larger than the limit (its `RFC822.SIZE`) is not downloaded: it is left in the
//!   folder with a warning, for a person to look at;
//! - any other is fetched whole with `BODY.PEEK[]` (it is not marked seen) and handed over; when
//!   the handler succeeds it is flagged `\Deleted`, when it fails it is left for the next poll.
//!
//! The poll ends with EXPUNGE and LOGOUT. Every network step has its own deadline
//! ([`STEP_TIMEOUT`]), so a silent server cannot hang the tracker, and only one message is in
//! memory at a time. A message whose handler succeeded but whose `\Deleted` flag was not stored
//! (the connection broke in between) is handed over again by the next poll: handlers must
//! accept the same message twice. [`run`] polls every `poll_secs` until shutdown.

use async_imap::error::Error as ImapError;
use async_imap::types::Uid;
use async_imap::Session;
use circulars_core::config::{ExposeSecret, MailboxConfig};
use circulars_core::BoxError;
use futures::TryStreamExt;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, instrument, warn};

mod connect;

use connect::{connect, Stream};

/// How long one network step (connecting, the TLS handshake, one command and its answer) may
/// take before the poll gives up.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// How many messages' sizes one FETCH asks for.
const SIZE_BATCH: usize = 50;

/// Why a poll of the bounce mailbox failed. `server` is `host:port`.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// No TCP connection could be opened.
    #[error("cannot connect to the IMAP server {server}: {source}")]
    Connect {
        /// `host:port`.
        server: String,
        /// What failed.
        source: std::io::Error,
    },
    /// TLS could not be set up: the CA file, the host name, the handshake or the certificate.
    #[error("TLS with the IMAP server {server} failed: {step}: {source}")]
    Tls {
        /// `host:port`.
        server: String,
        /// The step: the CA file (named), the host name, the handshake.
        step: String,
        /// What failed.
        source: BoxError,
    },
    /// The server refused the user name or password.
    #[error("the IMAP server {server} refused the login of {username:?}: {reply}")]
    LoginRefused {
        /// `host:port`.
        server: String,
        /// The user name tried.
        username: String,
        /// The server's own words.
        reply: String,
    },
    /// The folder cannot be selected (most often: it does not exist).
    #[error("the IMAP server {server} cannot open the folder {folder:?}: {reply}")]
    FolderMissing {
        /// `host:port`.
        server: String,
        /// The configured folder.
        folder: String,
        /// The server's own words.
        reply: String,
    },
    /// The server refused a command, answered something unexpected or closed the connection.
    #[error("the IMAP server {server} failed at {step}: {detail}")]
    Protocol {
        /// `host:port`.
        server: String,
        /// The step (`greeting`, `UID SEARCH`, …).
        step: &'static str,
        /// The server's own words, or what went wrong on the connection.
        detail: String,
    },
    /// The server did not finish one step in time.
    #[error("the IMAP server {server} did not answer {step} within {after:?}")]
    Timeout {
        /// `host:port`.
        server: String,
        /// The step that timed out.
        step: &'static str,
        /// The deadline that passed.
        after: Duration,
    },
}

/// What one poll did with the messages it found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollSummary {
    /// Messages handed over and flagged `\Deleted` (then expunged).
    pub handled: usize,
    /// Messages whose handler failed; left for the next poll.
    pub failed: usize,
    /// Messages over the size limit; left in the folder, never downloaded.
    pub too_large: usize,
}

/// Polls the mailbox once: each message not yet deleted and at most `max_message_bytes` long is
/// handed to `handle` and, when it returns `Ok`, deleted; see the module documentation.
pub async fn poll_once<F, Fut, E>(
    config: &MailboxConfig,
    max_message_bytes: usize,
    handle: F,
) -> Result<PollSummary, MailboxError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    poll(config, max_message_bytes, STEP_TIMEOUT, handle, None).await
}

/// Polls the mailbox every `config.poll_secs` seconds (the first time at once) until
/// `shutdown`, logging each poll's summary and error; an error never ends the loop. A poll under
/// way when `shutdown` comes finishes the message in hand, expunges and logs out.
pub async fn run<F, Fut, E>(
    config: MailboxConfig,
    max_message_bytes: usize,
    mut handle: F,
    shutdown: CancellationToken,
) where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let every = Duration::from_secs(config.poll_secs.max(1));
    info!(
        server = %server_name(&config),
        folder = %config.folder,
        poll_secs = every.as_secs(),
        "bounce mailbox ready"
    );
    while !shutdown.is_cancelled() {
        match poll(
            &config,
            max_message_bytes,
            STEP_TIMEOUT,
            &mut handle,
            Some(&shutdown),
        )
        .await
        {
            Ok(summary) => info!(
                handled = summary.handled,
                failed = summary.failed,
                too_large = summary.too_large,
                "bounce mailbox polled"
            ),
            Err(error) => warn!(%error, "bounce mailbox poll failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => {}
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// The server's name for messages, and the deadline of each step.
struct Steps {
    server: String,
    after: Duration,
}

impl Steps {
    /// Runs one network step within the deadline.
    async fn timed<T>(
        &self,
        step: &'static str,
        future: impl Future<Output = T>,
    ) -> Result<T, MailboxError> {
        tokio::time::timeout(self.after, future)
            .await
            .map_err(|_| MailboxError::Timeout {
                server: self.server.clone(),
                step,
                after: self.after,
            })
    }

    /// Runs one IMAP command within the deadline; a refusal is a protocol error.
    async fn imap<T>(
        &self,
        step: &'static str,
        future: impl Future<Output = Result<T, ImapError>>,
    ) -> Result<T, MailboxError> {
        self.timed(step, future)
            .await?
            .map_err(|e| self.protocol(step, server_words(&e)))
    }

    fn protocol(&self, step: &'static str, detail: String) -> MailboxError {
        MailboxError::Protocol {
            server: self.server.clone(),
            step,
            detail,
        }
    }

    fn tls(&self, step: impl Into<String>, source: impl Into<BoxError>) -> MailboxError {
        MailboxError::Tls {
            server: self.server.clone(),
            step: step.into(),
            source: source.into(),
        }
    }
}

/// One poll, with the step deadline given; stops between messages once `stop` is cancelled.
#[instrument(
    name = "bounce_mailbox_poll",
    skip_all,
    fields(server = %server_name(config), folder = %config.folder)
)]
async fn poll<F, Fut, E>(
    config: &MailboxConfig,
    max_message_bytes: usize,
    step_timeout: Duration,
    mut handle: F,
    stop: Option<&CancellationToken>,
) -> Result<PollSummary, MailboxError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let steps = Steps {
        server: server_name(config),
        after: step_timeout,
    };
    let mut session = open_folder(config, &steps).await?;
    let mut uids: Vec<Uid> = steps
        .imap("UID SEARCH", session.uid_search("NOT DELETED"))
        .await?
        .into_iter()
        .collect();
    uids.sort_unstable();
    debug!(messages = uids.len(), "bounce mailbox selected");

    let mut summary = PollSummary::default();
    'batches: for batch in uids.chunks(SIZE_BATCH) {
        for (uid, size) in sizes(&mut session, &steps, batch).await? {
            if stop.is_some_and(CancellationToken::is_cancelled) {
                break 'batches;
            }
            if size.is_none_or(|s| s > max_message_bytes) {
                warn!(
                    uid,
                    size = size
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "unknown".into()),
                    max_message_bytes,
                    "bounce mailbox message too large; left in the folder"
                );
                summary.too_large += 1;
                continue;
            }
            let Some(raw) = message(&mut session, &steps, uid).await? else {
                debug!(uid, "bounce mailbox message gone before it was fetched");
                continue;
            };
            if raw.len() > max_message_bytes {
                warn!(
                    uid,
                    size = raw.len(),
                    max_message_bytes,
                    "bounce mailbox message larger than announced; left in the folder"
                );
                summary.too_large += 1;
                continue;
            }
            match handle(raw).await {
                Ok(()) => {
                    let flagged = async {
                        session
                            .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Deleted)")
                            .await?
                            .try_collect::<Vec<_>>()
                            .await
                    };
                    steps.imap("UID STORE", flagged).await?;
                    summary.handled += 1;
                }
                Err(error) => {
                    warn!(uid, %error, "bounce mailbox message not handled; left for the next poll");
                    summary.failed += 1;
                }
            }
        }
    }

    let expunged = async { session.expunge().await?.try_collect::<Vec<_>>().await };
    steps.imap("EXPUNGE", expunged).await?;
    if let Err(error) = steps.imap("LOGOUT", session.logout()).await {
        // Everything is done and expunged; a connection that breaks now loses nothing.
        debug!(%error, "bounce mailbox logout failed");
    }
    Ok(summary)
}

/// Connects, logs in and selects the folder.
async fn open_folder(
    config: &MailboxConfig,
    steps: &Steps,
) -> Result<Session<Stream>, MailboxError> {
    let client = connect(config, steps).await?;
    let mut session = match steps
        .timed(
            "LOGIN",
            client.login(&config.username, config.password.expose_secret()),
        )
        .await?
    {
        Ok(session) => session,
        Err((error @ (ImapError::No(_) | ImapError::Bad(_)), _)) => {
            return Err(MailboxError::LoginRefused {
                server: steps.server.clone(),
                username: config.username.clone(),
                reply: server_words(&error),
            })
        }
        Err((error, _)) => return Err(steps.protocol("LOGIN", server_words(&error))),
    };
    match steps
        .timed("SELECT", session.select(&config.folder))
        .await?
    {
        Ok(_) => {}
        Err(error @ (ImapError::No(_) | ImapError::Bad(_))) => {
            return Err(MailboxError::FolderMissing {
                server: steps.server.clone(),
                folder: config.folder.clone(),
                reply: server_words(&error),
            })
        }
        Err(error) => return Err(steps.protocol("SELECT", server_words(&error))),
    }
    Ok(session)
}

/// The `(UID, RFC822.SIZE)` of each message of `batch` still there, in UID order.
async fn sizes(
    session: &mut Session<Stream>,
    steps: &Steps,
    batch: &[Uid],
) -> Result<Vec<(Uid, Option<usize>)>, MailboxError> {
    let set = batch
        .iter()
        .map(Uid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let fetched = async {
        session
            .uid_fetch(set, "(UID RFC822.SIZE)")
            .await?
            .try_collect::<Vec<_>>()
            .await
    };
    let mut sizes: Vec<(Uid, Option<usize>)> = steps
        .imap("UID FETCH (sizes)", fetched)
        .await?
        .iter()
        .filter_map(|f| Some((f.uid?, f.size)))
        // Unsolicited FETCH answers (flag changes by another client) may name other messages.
        .filter(|(uid, _)| batch.contains(uid))
        .map(|(uid, size)| (uid, size.and_then(|s| usize::try_from(s).ok())))
        .collect();
    sizes.sort_unstable_by_key(|(uid, _)| *uid);
    sizes.dedup_by_key(|(uid, _)| *uid);
    Ok(sizes)
}

/// The whole message `uid`, without marking it seen; `None` when it is gone.
async fn message(
    session: &mut Session<Stream>,
    steps: &Steps,
    uid: Uid,
) -> Result<Option<Vec<u8>>, MailboxError> {
    let fetched = async {
        session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
            .await?
            .try_collect::<Vec<_>>()
            .await
    };
    Ok(steps
        .imap("UID FETCH (message)", fetched)
        .await?
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec))
}

/// `host:port`.
fn server_name(config: &MailboxConfig) -> String {
    format!("{}:{}", config.host, config.port)
}

/// What the server said, for a refusal; the error itself otherwise.
fn server_words(error: &ImapError) -> String {
    match error {
        // async-imap renders a NO or BAD answer as `code: Some(…), info: Some("…")`.
        ImapError::No(text) | ImapError::Bad(text) => text
            .split_once("info: Some(\"")
            .and_then(|(_, rest)| rest.strip_suffix("\")"))
            .map(|info| info.replace("\\\"", "\""))
            .unwrap_or_else(|| text.clone()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::config::MailboxTls;
    use connect::tls_connector;
    use std::path::Path;
    use tokio::net::TcpListener;

    fn config(port: u16, tls: MailboxTls) -> MailboxConfig {
        MailboxConfig {
            host: "127.0.0.1".into(),
            port,
            tls,
            username: "bounces".into(),
            password: "secret".into(),
            ..MailboxConfig::default()
        }
    }

    async fn nothing(_: Vec<u8>) -> Result<(), String> {
        Ok(())
    }

    #[tokio::test]
    async fn a_server_that_never_greets_times_out_naming_the_step() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let silent = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("a connection");
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        });
        let config = config(port, MailboxTls::None);
        let error = poll(&config, 1024, Duration::from_millis(200), nothing, None)
            .await
            .expect_err("no greeting");
        assert!(matches!(
            error,
            MailboxError::Timeout {
                step: "greeting",
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            format!("the IMAP server 127.0.0.1:{port} did not answer greeting within 200ms")
        );
        silent.abort();
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error_naming_the_server() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("an address").port();
        drop(listener);
        let error = poll_once(&config(port, MailboxTls::None), 1024, nothing)
            .await
            .expect_err("nothing listens");
        assert!(matches!(error, MailboxError::Connect { .. }), "{error}");
        assert!(error.to_string().contains(&format!("127.0.0.1:{port}")));
    }

    #[tokio::test]
    async fn a_server_that_is_not_tls_fails_the_handshake() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let plain = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut socket, _) = listener.accept().await.expect("a connection");
            let _ = socket.write_all(b"* OK plain IMAP here\r\n").await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let config = config(port, MailboxTls::Implicit);
        let error = poll(&config, 1024, Duration::from_secs(5), nothing, None)
            .await
            .expect_err("not TLS");
        assert!(matches!(error, MailboxError::Tls { .. }), "{error}");
        plain.abort();
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let error = tls_connector(Some(Path::new("/nonexistent/ca.pem")))
            .err()
            .expect("no such file");
        assert!(
            error.to_string().starts_with("/nonexistent/ca.pem: "),
            "{error}"
        );
    }

    #[test]
    fn the_server_words_are_taken_from_a_refusal() {
        let refusal = ImapError::No(
            "code: Some(AuthenticationFailed), info: Some(\"Authentication failed.\")".into(),
        );
        assert_eq!(server_words(&refusal), "Authentication failed.");
        assert_eq!(server_words(&ImapError::Bad("odd".into())), "odd");
    }

    #[test]
    fn the_poller_can_run_on_a_spawned_task() {
        fn spawnable<T: Send + 'static>(_: T) {}
        spawnable(run(
            config(143, MailboxTls::Starttls),
            1024,
            nothing,
            CancellationToken::new(),
        ));
    }
}
