//! The relays' SMTP against a real MTA's test server, Postfix's `smtp-sink`, which offers
//! PIPELINING (or not, with `-p`) and misbehaves on request: mail after mail over one session
//! either way, a hang-up after the final dot and a late final reply (both a lost reply: the
//! sink has the mail), a refused recipient and a refused message. Each test says it skipped
//! when `smtp-sink` is not installed (Debian: `apt-get install postfix`, "No configuration").
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use circulars_core::config::Config;
use circulars_core::domain::OutgoingMail;
use circulars_relays::{LostReply, Phase, Relays, SendError};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `smtp-sink` and what its counters (`-c`) last said.
struct Sink {
    child: Child,
    port: u16,
    counters: Arc<Mutex<String>>,
}

impl Sink {
    /// Starts `smtp-sink -c ARGS 127.0.0.1:PORT`; `None` when it is not installed.
    fn start(args: &[&str]) -> Option<Sink> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let Some(binary) = std::env::split_paths(&path)
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
            .map(|dir| dir.join("smtp-sink"))
            .find(|p| p.is_file())
        else {
            eprintln!("skipped: Postfix's smtp-sink is not installed");
            return None;
        };
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(binary);
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        let mut child = command
            .arg("-c")
            .args(args)
            .arg(format!("127.0.0.1:{port}"))
            .arg("10")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let counters = Arc::new(Mutex::new(String::new()));
        let latest = counters.clone();
        std::thread::spawn(move || {
            // `sess=1 quit=0 mesg=20\r`, printed at each "." and when a session ends.
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                if let Some(line) = text.split(['\r', '\n']).rfind(|l| l.contains("sess=")) {
                    *latest.lock().unwrap() = line.trim().to_owned();
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "smtp-sink did not listen");
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(Sink {
            child,
            port,
            counters,
        })
    }

    /// The `sess=` and `mesg=` counts, once both reach at least `(sessions, messages)` (or
    /// after ten seconds).
    fn counted(&self, sessions: u64, messages: u64) -> (u64, u64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let line = self.counters.lock().unwrap().clone();
            let count = |key: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(key))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let counts = (count("sess="), count("mesg="));
            if (counts.0 >= sessions && counts.1 >= messages) || Instant::now() > deadline {
                return counts;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn relays(&self, smtp: &str) -> Relays {
        let toml = format!(
            "[smtp]\n{smtp}\n[smtp.relays.sink]\nhost = \"127.0.0.1\"\nport = {}\nconnections = 1\n",
            self.port
        );
        let config = Config::from_sources(Some(("circulars.toml", &toml)), Vec::new()).unwrap();
        Relays::from_config(&config.smtp).unwrap()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .is_some_and(|ids| ids.split_whitespace().next() == Some("0"))
}

fn mail(n: usize) -> OutgoingMail {
    OutgoingMail {
        return_path: "bounce+tsb36@circulars.itu.example".to_owned(),
        recipient: format!("r{n}@example.org"),
        message: format!(
            "From: tsb@itu.example\r\nTo: r{n}@example.org\r\nSubject: TSB Circular 36\r\n\r\n\
             .Dear Sir/Madam,\r\n.\r\n..\r\nend\r\n"
        )
        .into_bytes(),
    }
}

#[tokio::test]
async fn mail_after_mail_goes_through_one_session_with_pipelining_offered_or_not() {
    for args in [&[][..], &["-p"][..]] {
        let Some(sink) = Sink::start(args) else {
            return;
        };
        let relays = sink.relays("");
        for n in 0..20 {
            let sent = relays.send(&mail(n)).await;
            assert_eq!(sent.result.unwrap().code, 250, "smtp-sink {args:?}");
        }
        // Closed, the session is counted: the readiness probe's and this one.
        drop(relays);
        assert_eq!(sink.counted(2, 20), (2, 20), "smtp-sink {args:?}");
    }
}

#[tokio::test]
async fn a_sink_that_hangs_up_after_the_final_dot_loses_the_reply_it_owed() {
    let Some(sink) = Sink::start(&["-q", "."]) else {
        return;
    };
    let error = sink.relays("").send(&mail(1)).await.result.unwrap_err();
    assert!(
        matches!(
            error,
            SendError::ReplyLost {
                how: LostReply::Connection(_),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_sink_that_answers_the_final_dot_after_its_wait_loses_the_reply() {
    let Some(sink) = Sink::start(&["-W", ".:4"]) else {
        return;
    };
    let error = sink
        .relays("final_reply_timeout_secs = 2")
        .send(&mail(1))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::ReplyLost {
                how: LostReply::Timeout(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.reply_lost() && error.is_no_reply());
}

#[tokio::test]
async fn a_sink_refusing_recipients_for_now_and_messages_for_good_is_heard() {
    let Some(soft) = Sink::start(&["-r", "RCPT"]) else {
        return;
    };
    let error = soft.relays("").send(&mail(1)).await.result.unwrap_err();
    assert_eq!(error.phase(), Some(Phase::Rcpt), "{error}");
    assert_eq!(error.reply().map(|r| r.code / 100), Some(4), "{error}");

    let Some(hard) = Sink::start(&["-f", "."]) else {
        return;
    };
    let error = hard.relays("").send(&mail(1)).await.result.unwrap_err();
    assert_eq!(error.phase(), Some(Phase::FinalReply), "{error}");
    assert_eq!(error.reply().map(|r| r.code / 100), Some(5), "{error}");
}
