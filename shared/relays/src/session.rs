//! Opening an SMTP session with one relay, written here rather than left to lettre (whose
//! async connection keeps its socket, so the data phase could not be ours): TCP with
//! `TCP_NODELAY`, implicit TLS or STARTTLS (RFC 3207), the greeting, EHLO and what it
//! offers, AUTH PLAIN or LOGIN (RFC 4954), all within the set-up deadline.

use crate::error::{Phase, SendError};
use crate::wire::{Failure, Reply, Stream, Wire};
use circulars_core::config::{ExposeSecret, SecretString};
use data_encoding::BASE64;
use std::io;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

/// How a connection is secured.
pub enum Security {
    /// Plain SMTP.
    None,
    /// STARTTLS after the greeting, required.
    StartTls(TlsConnector, ServerName<'static>),
    /// TLS from the first byte (SMTPS).
    Implicit(TlsConnector, ServerName<'static>),
}

/// The AUTH credentials a relay wants.
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: SecretString,
}

/// How long each step of a session may take (RFC 5321 §4.5.3.2 for the mail's own steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a session (TCP, TLS, greeting, EHLO, STARTTLS, AUTH) in all, and NOOP or RSET
    /// on an open one.
    pub setup: Duration,
    /// The reply to `MAIL FROM`.
    pub mail: Duration,
    /// The reply to `RCPT TO`.
    pub rcpt: Duration,
    /// The `354` after `DATA`.
    pub data_start: Duration,
    /// Each write of the message.
    pub data_block: Duration,
    /// The reply after the final dot.
    pub final_reply: Duration,
}

/// Where and how to connect to one relay.
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS.
    pub security: Security,
    /// AUTH credentials, if the relay wants them.
    pub credentials: Option<Credentials>,
    /// How long each step may take.
    pub timeouts: Timeouts,
    /// The most connections kept open between mails.
    pub keep: usize,
}

impl Endpoint {
    /// `host:port`, as errors name the relay.
    pub fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// What the relay's EHLO reply offers that the session uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Offers {
    /// RFC 2920.
    pub pipelining: bool,
    /// RFC 3207.
    pub starttls: bool,
    /// RFC 6152: `BODY=8BITMIME`.
    pub eight_bit: bool,
    /// RFC 6531.
    pub smtputf8: bool,
    /// `AUTH PLAIN`.
    pub auth_plain: bool,
    /// `AUTH LOGIN`.
    pub auth_login: bool,
}

impl Offers {
    /// Reads the keywords of an EHLO reply (every line after the first).
    pub(crate) fn of(ehlo: &Reply) -> Offers {
        let mut offers = Offers::default();
        for line in ehlo.lines.iter().skip(1) {
            let upper = line.to_ascii_uppercase();
            let mut words = upper.split([' ', '=']);
            match words.next().unwrap_or_default() {
                "PIPELINING" => offers.pipelining = true,
                "STARTTLS" => offers.starttls = true,
                "8BITMIME" => offers.eight_bit = true,
                "SMTPUTF8" => offers.smtputf8 = true,
                "AUTH" => {
                    for mechanism in words {
                        offers.auth_plain |= mechanism == "PLAIN";
                        offers.auth_login |= mechanism == "LOGIN";
                    }
                }
                _ => {}
            }
        }
        offers
    }
}

/// An open session, ready for a mail.
pub(crate) struct Session {
    /// The connection.
    pub wire: Wire,
    /// What the relay offers.
    pub offers: Offers,
    /// `host:port`.
    pub relay: String,
}

/// The set-up under way, with its deadline.
struct Setup<'a> {
    endpoint: &'a Endpoint,
    relay: String,
    deadline: Instant,
}

impl Setup<'_> {
    /// What is left of the deadline.
    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The error for `failure` in `phase`.
    fn failed(&self, phase: Phase, failure: Failure) -> SendError {
        match failure {
            Failure::Timeout(_) => SendError::Timeout {
                relay: self.relay.clone(),
                phase,
                after: self.endpoint.timeouts.setup,
            },
            Failure::Io(source) => SendError::Lost {
                relay: self.relay.clone(),
                phase,
                source,
            },
        }
    }

    /// Sends `command` (CRLF added) and reads its reply, which must be `expected`.
    async fn command(
        &self,
        wire: &mut Wire,
        command: &str,
        phase: Phase,
        expected: u16,
    ) -> Result<Reply, SendError> {
        let line = format!("{command}\r\n");
        wire.write(line.as_bytes(), self.left())
            .await
            .map_err(|f| self.failed(phase, f))?;
        self.expect(wire, phase, expected).await
    }

    /// Reads a reply, which must be `expected` (a refusal otherwise, or no SMTP at all).
    async fn expect(
        &self,
        wire: &mut Wire,
        phase: Phase,
        expected: u16,
    ) -> Result<Reply, SendError> {
        let reply = wire
            .reply(self.left())
            .await
            .map_err(|f| self.failed(phase, f))?;
        if reply.code == expected || (expected == 250 && reply.is_ok()) {
            Ok(reply)
        } else if reply.is_refusal() {
            Err(SendError::Refused {
                relay: self.relay.clone(),
                phase,
                reply: reply.to_smtp(),
            })
        } else {
            Err(self.failed(phase, Failure::Io(unexpected(&reply, expected))))
        }
    }

    /// A TLS handshake over `tcp`, within the deadline.
    async fn tls(
        &self,
        tcp: TcpStream,
        connector: &TlsConnector,
        name: &ServerName<'static>,
        phase: Phase,
    ) -> Result<Stream, SendError> {
        let handshake = connector.connect(name.clone(), tcp);
        match tokio::time::timeout(self.left(), handshake).await {
            Ok(Ok(tls)) => Ok(Stream::Tls(Box::new(tls))),
            Ok(Err(source)) => Err(SendError::Connect {
                relay: self.relay.clone(),
                tls: true,
                source,
            }),
            Err(_) => Err(self.failed(phase, Failure::Timeout(self.endpoint.timeouts.setup))),
        }
    }

    /// EHLO, and what the reply offers.
    async fn hello(&self, wire: &mut Wire, hello: &str) -> Result<Offers, SendError> {
        let reply = self
            .command(wire, &format!("EHLO {hello}"), Phase::Hello, 250)
            .await?;
        Ok(Offers::of(&reply))
    }
}

/// Opens a session with `endpoint` within its set-up deadline, greeting it as `hello` (by
/// the connection's own address when `None`).
pub(crate) async fn open(endpoint: &Endpoint, hello: Option<&str>) -> Result<Session, SendError> {
    let setup = Setup {
        endpoint,
        relay: endpoint.name(),
        deadline: Instant::now() + endpoint.timeouts.setup,
    };
    let connect = TcpStream::connect((endpoint.host.as_str(), endpoint.port));
    let tcp = match tokio::time::timeout(setup.left(), connect).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(source)) => {
            return Err(SendError::Connect {
                relay: setup.relay,
                tls: false,
                source,
            })
        }
        Err(_) => return Err(setup.failed(Phase::Connect, Failure::Timeout(setup.left()))),
    };
    tcp.set_nodelay(true).map_err(|source| SendError::Connect {
        relay: setup.relay.clone(),
        tls: false,
        source,
    })?;
    let stream = match &endpoint.security {
        Security::Implicit(connector, name) => {
            setup.tls(tcp, connector, name, Phase::Connect).await?
        }
        _ => Stream::Plain(tcp),
    };
    let hello = match hello {
        Some(name) => name.to_owned(),
        None => address_literal(&wire_address(&stream)),
    };
    let hello = hello.as_str();
    let mut wire = Wire::new(stream);
    setup.expect(&mut wire, Phase::Greeting, 220).await?;
    let mut offers = setup.hello(&mut wire, hello).await?;
    if let Security::StartTls(connector, name) = &endpoint.security {
        if !offers.starttls {
            return Err(SendError::Connect {
                relay: setup.relay,
                tls: true,
                source: io::Error::other("the relay does not offer STARTTLS"),
            });
        }
        setup
            .command(&mut wire, "STARTTLS", Phase::StartTls, 220)
            .await?;
        let Some((tcp, false)) = wire.into_plain() else {
            let trailing = io::Error::new(
                io::ErrorKind::InvalidData,
                "the relay sent more after its STARTTLS reply",
            );
            return Err(setup.failed(Phase::StartTls, Failure::Io(trailing)));
        };
        wire = Wire::new(setup.tls(tcp, connector, name, Phase::StartTls).await?);
        offers = setup.hello(&mut wire, hello).await?;
    }
    if let Some(credentials) = &endpoint.credentials {
        authenticate(&setup, &mut wire, offers, credentials).await?;
    }
    Ok(Session {
        wire,
        offers,
        relay: setup.relay,
    })
}

/// AUTH PLAIN when offered, else AUTH LOGIN.
async fn authenticate(
    setup: &Setup<'_>,
    wire: &mut Wire,
    offers: Offers,
    credentials: &Credentials,
) -> Result<(), SendError> {
    let user = credentials.username.as_bytes();
    let password = credentials.password.expose_secret().as_bytes();
    if offers.auth_plain {
        let plain = [&b"\0"[..], user, b"\0", password].concat();
        let command = format!("AUTH PLAIN {}", BASE64.encode(&plain));
        setup.command(wire, &command, Phase::Auth, 235).await?;
    } else if offers.auth_login {
        setup.command(wire, "AUTH LOGIN", Phase::Auth, 334).await?;
        setup
            .command(wire, &BASE64.encode(user), Phase::Auth, 334)
            .await?;
        setup
            .command(wire, &BASE64.encode(password), Phase::Auth, 235)
            .await?;
    } else {
        let none = io::Error::other("the relay offers neither AUTH PLAIN nor AUTH LOGIN");
        return Err(setup.failed(Phase::Auth, Failure::Io(none)));
    }
    Ok(())
}

/// A reply that is neither the one expected nor a refusal.
pub(crate) fn unexpected(reply: &Reply, expected: u16) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "expected {expected}, the relay answered {}",
            reply.to_smtp()
        ),
    )
}

/// The name this client gives in EHLO: the host's name, when it is one fit for EHLO
/// (otherwise the session gives its address, RFC 5321 §4.1.4).
pub(crate) fn hello_name() -> Option<String> {
    hostname::get()
        .ok()
        .and_then(|n| n.into_string().ok())
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
}

/// This end's address of the connection.
fn wire_address(stream: &Stream) -> Option<std::net::SocketAddr> {
    match stream {
        Stream::Plain(tcp) => tcp.local_addr().ok(),
        Stream::Tls(tls) => tls.get_ref().0.local_addr().ok(),
    }
}

/// An address literal for EHLO: `[192.0.2.1]`, `[IPv6:2001:db8::1]`.
fn address_literal(address: &Option<std::net::SocketAddr>) -> String {
    match address.map(|a| a.ip()) {
        Some(std::net::IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        Some(ip) => format!("[{ip}]"),
        None => "[127.0.0.1]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ehlo_reply_says_what_the_relay_offers() {
        let reply = Reply {
            code: 250,
            lines: [
                "mx.example greets client",
                "PIPELINING",
                "SIZE 52428800",
                "8BITMIME",
                "AUTH=LOGIN",
                "auth plain cram-md5",
                "STARTTLS",
            ]
            .map(String::from)
            .to_vec(),
        };
        let offers = Offers::of(&reply);
        assert_eq!(
            offers,
            Offers {
                pipelining: true,
                starttls: true,
                eight_bit: true,
                smtputf8: false,
                auth_plain: true,
                auth_login: true,
            }
        );
        let bare = Reply {
            code: 250,
            lines: vec!["PIPELINING".into()],
        };
        assert!(!Offers::of(&bare).pipelining, "the first line is the name");
    }
}
