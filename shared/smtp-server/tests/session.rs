//! The session core driven over real TCP on the loopback interface, with a small handler that
//! accepts recipients at `example.org` and keeps every message it is given.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use circulars_smtp_server::{
    serve, Envelope, Handler, Rcpt, Replies, Settings, State, Verdict, RCPT_OK,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// The longest any single step may take.
const WAIT: Duration = Duration::from_secs(10);

const REPLIES: Replies = Replies {
    shutting_down: "421 4.3.2 shutting down",
    idle_timeout: "421 4.4.2 idle timeout",
    line_too_long: "500 5.5.0 line too long",
    not_utf8: None,
    hello_syntax: None,
    unknown_command: "500 5.5.2 unknown",
    not_implemented: "502 5.5.1 not implemented",
    need_hello: "503 5.5.1 EHLO first",
    nested_mail: "503 5.5.1 nested MAIL",
    mail_syntax: "501 5.5.4 MAIL syntax",
    need_mail: "503 5.5.1 MAIL first",
    rcpt_syntax: "501 5.5.4 RCPT syntax",
    data_without_mail: "503 5.5.1 MAIL first",
    data_without_recipients: "554 5.5.1 no recipients",
    too_big: "552 5.3.4 too big",
};

fn settings() -> Settings {
    Settings {
        hostname: "mx.test".to_owned(),
        banner: "ESMTP".to_owned(),
        greet_client: false,
        log_name: "test",
        max_command_line: 64,
        close_after_long_line: false,
        max_message_bytes: 100,
        max_data_bytes: None,
        max_recipients: Some(2),
        idle_timeout: None,
        tls: None,
        replies: REPLIES,
    }
}

/// The messages a [`Keeper`] was given, with their envelopes.
type Kept = Arc<Mutex<Vec<(Envelope, Vec<u8>)>>>;

/// Keeps what it is given.
#[derive(Clone, Default)]
struct Keeper {
    messages: Kept,
}

impl Handler for Keeper {
    fn rcpt(&mut self, _state: &State, to: &str) -> Rcpt {
        if to.ends_with("@example.org") {
            Rcpt::Accept(RCPT_OK.into())
        } else {
            Rcpt::Refuse("550 5.1.1 not here".into())
        }
    }

    async fn message(&mut self, _state: &State, envelope: Envelope, message: Vec<u8>) -> Verdict {
        let mut messages = self.messages.lock().expect("lock");
        messages.push((envelope, message));
        Verdict::Reply(format!("250 2.0.0 Ok: {}", messages.len()).into())
    }
}

/// Serves one connection with `settings`; returns its address, the handler, the task and
/// the shutdown signal.
async fn start(settings: Settings) -> (SocketAddr, Keeper, JoinHandle<()>, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let keeper = Keeper::default();
    let mut handler = keeper.clone();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        let (tcp, peer) = listener.accept().await.expect("accept");
        let _ = serve(tcp, peer, &settings, &mut handler, &stop).await;
    });
    (addr, keeper, task, cancel)
}

struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let tcp = timeout(WAIT, TcpStream::connect(addr))
            .await
            .expect("in time")
            .expect("connect");
        let mut client = Client {
            stream: BufReader::new(tcp),
        };
        assert_eq!(client.reply().await, "220 mx.test ESMTP");
        client
    }

    async fn send(&mut self, text: &str) {
        self.stream.write_all(text.as_bytes()).await.expect("write");
    }

    /// One reply, its lines joined with `\n`; empty when the connection closed.
    async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = timeout(WAIT, self.stream.read_line(&mut line))
                .await
                .expect("reply in time")
                .unwrap_or(0);
            if n == 0 {
                return lines.join("\n");
            }
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    async fn cmd(&mut self, command: &str) -> String {
        self.send(&format!("{command}\r\n")).await;
        self.reply().await
    }

    async fn assert_closed(&mut self) {
        let mut rest = Vec::new();
        let read = timeout(WAIT, self.stream.read_to_end(&mut rest))
            .await
            .expect("closed in time");
        assert!(read.is_err() || rest.is_empty(), "{rest:?}");
    }
}

#[tokio::test]
async fn a_pipelined_transaction_is_answered_in_order_and_the_message_unstuffed() {
    let (addr, keeper, task, _cancel) = start(settings()).await;
    let mut c = Client::connect(addr).await;
    c.send(
        "EHLO client.test\r\nMAIL FROM:<s@x.test> SIZE=10\r\nRCPT TO:<a@example.org>\r\n\
         RCPT TO:<b@other.test>\r\nRCPT TO:< @relay.test:c@example.org >\r\n\
         RCPT TO:<d@example.org>\r\nDATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n",
    )
    .await;
    let ehlo = c.reply().await;
    assert_eq!(
        ehlo,
        "250-mx.test\n250-SIZE 100\n250-8BITMIME\n250-PIPELINING\n250 ENHANCEDSTATUSCODES"
    );
    let mut replies = Vec::new();
    for _ in 0..8 {
        replies.push(c.reply().await);
    }
    assert_eq!(
        replies,
        [
            "250 2.1.0 Ok",
            "250 2.1.5 Ok",
            "550 5.1.1 not here",
            "250 2.1.5 Ok",
            "452 4.5.3 too many recipients",
            "354 End data with <CR><LF>.<CR><LF>",
            "250 2.0.0 Ok: 1",
            "221 2.0.0 Bye",
        ]
    );
    c.assert_closed().await;
    timeout(WAIT, task).await.expect("ends").expect("task");
    let messages = keeper.messages.lock().expect("lock");
    let (envelope, message) = &messages[0];
    assert_eq!(envelope.sender, "s@x.test");
    assert_eq!(envelope.recipients, ["a@example.org", "c@example.org"]);
    assert_eq!(message, b"Subject: x\r\n\r\n.dot\r\n");
}

#[tokio::test]
async fn commands_out_of_order_unknown_or_too_long_are_refused_and_the_session_goes_on() {
    let (addr, _keeper, _task, _cancel) = start(settings()).await;
    let mut c = Client::connect(addr).await;
    assert_eq!(c.cmd("MAIL FROM:<s@x.test>").await, "503 5.5.1 EHLO first");
    assert_eq!(c.cmd("HELO").await, "250 mx.test", "no name needed");
    assert_eq!(
        c.cmd("RCPT TO:<a@example.org>").await,
        "503 5.5.1 MAIL first"
    );
    assert_eq!(c.cmd("DATA").await, "503 5.5.1 MAIL first");
    assert_eq!(c.cmd("MAIL FROM:s@x.test").await, "501 5.5.4 MAIL syntax");
    assert_eq!(c.cmd("MAIL FROM:<>").await, "250 2.1.0 Ok");
    assert_eq!(c.cmd("MAIL FROM:<>").await, "503 5.5.1 nested MAIL");
    assert_eq!(c.cmd("RCPT TO:<b@other.test>").await, "550 5.1.1 not here");
    assert_eq!(c.cmd("DATA").await, "554 5.5.1 no recipients");
    assert_eq!(c.cmd("STARTTLS").await, "502 5.5.1 not implemented");
    assert_eq!(c.cmd("HELP").await, "502 5.5.1 not implemented");
    assert_eq!(c.cmd("FROB").await, "500 5.5.2 unknown");
    let long = format!("NOOP {}", "x".repeat(100));
    assert_eq!(c.cmd(&long).await, "500 5.5.0 line too long");
    assert_eq!(c.cmd("RSET").await, "250 2.0.0 Ok");
    assert_eq!(c.cmd("DATA").await, "503 5.5.1 MAIL first");
    assert_eq!(c.cmd("QUIT").await, "221 2.0.0 Bye");
}

#[tokio::test]
async fn a_message_over_the_limit_is_read_to_its_end_and_refused() {
    let (addr, keeper, _task, _cancel) = start(settings()).await;
    let mut c = Client::connect(addr).await;
    c.cmd("EHLO client.test").await;
    c.cmd("MAIL FROM:<>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    assert!(c.cmd("DATA").await.starts_with("354 "));
    // One line longer than the limit, then more lines.
    c.send(&format!("{}\r\nmore\r\n.\r\n", "y".repeat(150)))
        .await;
    assert_eq!(c.reply().await, "552 5.3.4 too big");
    assert_eq!(c.cmd("NOOP").await, "250 2.0.0 Ok");
    // Exactly at the limit is fine.
    c.cmd("MAIL FROM:<>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    c.cmd("DATA").await;
    c.send(&format!("{}\r\n.\r\n", "z".repeat(98))).await;
    assert_eq!(c.reply().await, "250 2.0.0 Ok: 1");
    assert_eq!(keeper.messages.lock().expect("lock")[0].1.len(), 100);
}

#[tokio::test]
async fn limits_that_end_the_session() {
    let settings = Settings {
        close_after_long_line: true,
        max_data_bytes: Some(300),
        idle_timeout: Some(Duration::from_millis(300)),
        ..settings()
    };
    // Data far beyond the limit: refused and disconnected before its end.
    let (addr, keeper, _task, _cancel) = start(settings.clone()).await;
    let mut c = Client::connect(addr).await;
    c.cmd("HELO client.test").await;
    c.cmd("MAIL FROM:<>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    c.cmd("DATA").await;
    c.send(&"w".repeat(400)).await;
    assert_eq!(c.reply().await, "552 5.3.4 too big");
    c.assert_closed().await;
    assert!(keeper.messages.lock().expect("lock").is_empty());

    // A command line too long: answered, then closed.
    let (addr, _keeper, _task, _cancel) = start(settings.clone()).await;
    let mut c = Client::connect(addr).await;
    c.send(&format!("NOOP {}\r\n", "x".repeat(100))).await;
    assert_eq!(c.reply().await, "500 5.5.0 line too long");
    c.assert_closed().await;

    // Silence: closed after the idle timeout, also in the middle of a message.
    let (addr, _keeper, _task, _cancel) = start(settings).await;
    let mut c = Client::connect(addr).await;
    c.cmd("HELO client.test").await;
    c.cmd("MAIL FROM:<>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    c.cmd("DATA").await;
    c.send("Subject: unfinished\r\n").await;
    assert_eq!(c.reply().await, "421 4.4.2 idle timeout");
    c.assert_closed().await;
}

#[tokio::test]
async fn shutdown_answers_421_and_closes() {
    let (addr, _keeper, task, cancel) = start(settings()).await;
    let mut c = Client::connect(addr).await;
    c.cmd("EHLO client.test").await;
    cancel.cancel();
    assert_eq!(c.reply().await, "421 4.3.2 shutting down");
    c.assert_closed().await;
    timeout(WAIT, task).await.expect("ends").expect("task");
}
