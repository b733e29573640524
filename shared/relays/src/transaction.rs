//! One mail over an open session, the data phase written here: `MAIL FROM`, `RCPT TO` and
//! `DATA` in one write when the relay offers PIPELINING (RFC 2920), one at a time when it
//! does not; then the message, dot-stuffed as it is written ([`crate::stuffing`]), and the
//! final reply. Each wait is its own (RFC 5321 §4.5.3.2), and a reply lost once the final
//! dot is written is told apart: the relay may have stored the mail.

use crate::error::{LostReply, Phase, SendError};
use crate::session::{unexpected, Session, Timeouts};
use crate::stuffing::stuffed;
use crate::wire::{Failure, Reply};
use circulars_core::domain::{OutgoingMail, SmtpReply};
use std::time::Duration;

/// What a mail did to its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    /// The session is ready for the next mail.
    Reusable,
    /// The session broke, timed out or was left out of step: close it.
    Broken,
}

impl Session {
    /// Sends `mail` within `timeouts`; says whether the session can carry the next one.
    pub(crate) async fn send(
        &mut self,
        mail: &OutgoingMail,
        timeouts: &Timeouts,
    ) -> (Result<SmtpReply, SendError>, After) {
        let commands = match self.commands(mail) {
            Ok(commands) => commands,
            Err(why) => {
                let error = SendError::Unsendable {
                    relay: self.relay.clone(),
                    why,
                };
                return (Err(error), After::Reusable);
            }
        };
        let envelope = match self.envelope(&commands, timeouts).await {
            Ok(envelope) => envelope,
            Err(error) => return (Err(error), After::Broken),
        };
        if let Some((phase, refusal)) = envelope.refusal() {
            if !refusal.is_refusal() {
                let source = unexpected(refusal, 250);
                return (Err(self.lost(phase, Failure::Io(source))), After::Broken);
            }
            let error = SendError::Refused {
                relay: self.relay.clone(),
                phase,
                reply: refusal.to_smtp(),
            };
            return (Err(error), self.reset(envelope.data.code, timeouts).await);
        }
        if envelope.data.code != 354 {
            let source = unexpected(&envelope.data, 354);
            return (
                Err(self.lost(Phase::Data, Failure::Io(source))),
                After::Broken,
            );
        }
        let mut pieces = stuffed(&mail.message);
        if let Err(failure) = self
            .wire
            .write_vectored(&mut pieces, timeouts.data_block)
            .await
        {
            return (Err(self.lost(Phase::Message, failure)), After::Broken);
        }
        let lost = |how| SendError::ReplyLost {
            relay: self.relay.clone(),
            how,
        };
        match self.wire.reply(timeouts.final_reply).await {
            Ok(reply) if reply.is_ok() => (Ok(reply.to_smtp()), After::Reusable),
            Ok(reply) if reply.is_refusal() => {
                let error = SendError::Refused {
                    relay: self.relay.clone(),
                    phase: Phase::FinalReply,
                    reply: reply.to_smtp(),
                };
                (Err(error), After::Reusable)
            }
            Ok(reply) => {
                let how = LostReply::Connection(unexpected(&reply, 250));
                (Err(lost(how)), After::Broken)
            }
            Err(Failure::Timeout(after)) => (Err(lost(LostReply::Timeout(after))), After::Broken),
            Err(Failure::Io(e)) => (Err(lost(LostReply::Connection(e))), After::Broken),
        }
    }

    /// NOOP, to see that an idle session still answers.
    pub(crate) async fn answers(&mut self, wait: Duration) -> bool {
        self.command(b"NOOP\r\n", wait).await
    }

    /// The envelope's commands, checked: `MAIL FROM` (with `BODY=8BITMIME` when offered,
    /// `SMTPUTF8` for an address beyond ASCII), `RCPT TO`, `DATA`.
    fn commands(&self, mail: &OutgoingMail) -> Result<Commands, String> {
        for (role, address) in [
            ("return path", &mail.return_path),
            ("recipient", &mail.recipient),
        ] {
            if address
                .chars()
                .any(|c| c.is_control() || c == '<' || c == '>')
            {
                return Err(format!(
                    "the {role} {address:?} cannot go in an SMTP command"
                ));
            }
        }
        let mut parameters = String::new();
        if self.offers.eight_bit {
            parameters.push_str(" BODY=8BITMIME");
        } else if !mail.message.is_ascii() {
            return Err("8-bit message and the relay does not offer 8BITMIME".to_owned());
        }
        if !(mail.return_path.is_ascii() && mail.recipient.is_ascii()) {
            if !self.offers.smtputf8 {
                return Err("address beyond ASCII and the relay does not offer SMTPUTF8".to_owned());
            }
            parameters.push_str(" SMTPUTF8");
        }
        let mail_from = format!("MAIL FROM:<{}>{parameters}\r\n", mail.return_path);
        let rcpt_to = format!("RCPT TO:<{}>\r\n", mail.recipient);
        Ok(Commands {
            all: [mail_from.as_str(), rcpt_to.as_str(), "DATA\r\n"].concat(),
            mail_end: mail_from.len(),
            rcpt_end: mail_from.len() + rcpt_to.len(),
        })
    }

    /// Sends the envelope and reads the three replies: in one write with PIPELINING, else
    /// one command at a time, stopping at the first refusal.
    async fn envelope(
        &mut self,
        commands: &Commands,
        timeouts: &Timeouts,
    ) -> Result<Envelope, SendError> {
        let all = commands.all.as_bytes();
        if self.offers.pipelining {
            self.write(all, Phase::Mail, timeouts.mail).await?;
            let mail = self.read(Phase::Mail, timeouts.mail).await?;
            let rcpt = self.read(Phase::Rcpt, timeouts.rcpt).await?;
            let data = self.read(Phase::Data, timeouts.data_start).await?;
            return Ok(Envelope { mail, rcpt, data });
        }
        let (mail_from, rest) = all.split_at(commands.mail_end);
        let (rcpt_to, data) = rest.split_at(commands.rcpt_end - commands.mail_end);
        self.write(mail_from, Phase::Mail, timeouts.mail).await?;
        let mail = self.read(Phase::Mail, timeouts.mail).await?;
        if !mail.is_ok() {
            // The commands not sent count as refused with it.
            let (rcpt, data) = (mail.clone(), mail.clone());
            return Ok(Envelope { mail, rcpt, data });
        }
        self.write(rcpt_to, Phase::Rcpt, timeouts.rcpt).await?;
        let rcpt = self.read(Phase::Rcpt, timeouts.rcpt).await?;
        if !rcpt.is_ok() {
            let data = rcpt.clone();
            return Ok(Envelope { mail, rcpt, data });
        }
        self.write(data, Phase::Data, timeouts.data_start).await?;
        let data = self.read(Phase::Data, timeouts.data_start).await?;
        Ok(Envelope { mail, rcpt, data })
    }

    /// After a refused envelope: ends a `354` the relay gave all the same with an empty
    /// message, then RSET; the session is reusable when the relay answered both.
    async fn reset(&mut self, data: u16, timeouts: &Timeouts) -> After {
        if data == 354 && !self.command(b".\r\n", timeouts.data_start).await {
            return After::Broken;
        }
        if self.command(b"RSET\r\n", timeouts.setup).await {
            After::Reusable
        } else {
            After::Broken
        }
    }

    /// Sends a command and reads its reply: true when it is 2xx.
    async fn command(&mut self, command: &[u8], wait: Duration) -> bool {
        match self.wire.write(command, wait).await {
            Ok(()) => matches!(self.wire.reply(wait).await, Ok(reply) if reply.is_ok()),
            Err(_) => false,
        }
    }

    async fn write(&mut self, bytes: &[u8], phase: Phase, wait: Duration) -> Result<(), SendError> {
        self.wire
            .write(bytes, wait)
            .await
            .map_err(|f| self.lost(phase, f))
    }

    async fn read(&mut self, phase: Phase, wait: Duration) -> Result<Reply, SendError> {
        self.wire.reply(wait).await.map_err(|f| self.lost(phase, f))
    }

    /// The error for `failure` in `phase`, before the message was complete.
    fn lost(&self, phase: Phase, failure: Failure) -> SendError {
        match failure {
            Failure::Timeout(after) => SendError::Timeout {
                relay: self.relay.clone(),
                phase,
                after,
            },
            Failure::Io(source) => SendError::Lost {
                relay: self.relay.clone(),
                phase,
                source,
            },
        }
    }
}

/// `MAIL FROM`, `RCPT TO` and `DATA` in one buffer, with where each ends.
struct Commands {
    all: String,
    mail_end: usize,
    rcpt_end: usize,
}

/// The replies to the envelope's three commands.
struct Envelope {
    mail: Reply,
    rcpt: Reply,
    data: Reply,
}

impl Envelope {
    /// The first refusal and its phase (`MAIL FROM`, `RCPT TO`, then `DATA`).
    fn refusal(&self) -> Option<(Phase, &Reply)> {
        [
            (Phase::Mail, &self.mail),
            (Phase::Rcpt, &self.rcpt),
            (Phase::Data, &self.data),
        ]
        .into_iter()
        .find(|(phase, reply)| match phase {
            Phase::Data => reply.is_refusal(),
            _ => !reply.is_ok(),
        })
    }
}
