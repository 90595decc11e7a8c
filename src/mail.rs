//! E-mail of the notices, through the SMTP server of `TOASOAN_SMTP_URL`. Requests only add
//! rows to `mail_outbox` (in their own transaction); the job here sends them. Each message is
//! claimed in its own transaction with `FOR UPDATE SKIP LOCKED`, sent, and marked sent before
//! the commit, so several instances never send one twice (only a crash between the server's
//! "OK" and the commit could). A failed try waits a minute, then twice as long each time, and
//! after [`MAX_ATTEMPTS`] the message is given up (the error stays in the row).

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use sqlx::PgPool;

use crate::{AppState, config::Smtp, db};

/// How often the outbox is looked at: a notice's e-mail leaves within this long.
pub const SEND_EVERY: Duration = Duration::from_secs(5);
/// Tries before a message is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// The wait after the first failed try; each next one doubles it.
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// The longest wait between two tries.
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);
/// Messages sent in one round at most (the next round takes the rest).
const ROUND: usize = 50;
/// How long the mail server may take to answer each step.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// Days a message stays in the outbox (sent or given up) before the cleanup deletes it.
pub const KEPT_DAYS: i32 = 30;

/// The mail server and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp: &Smtp) -> Result<Self, lettre::transport::smtp::Error> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self {
            transport,
            from: smtp.from.clone(),
        })
    }

    /// Sends one message; the error is a line for the outbox row and the log.
    async fn send(&self, mail: &db::mail_outbox::Mail) -> Result<(), String> {
        let address = mail
            .recipient
            .parse()
            .map_err(|error| format!("bad recipient address: {error}"))?;
        let name = Some(mail.recipient_name.clone()).filter(|n| !n.is_empty());
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(name, address))
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|error| format!("message not built: {error}"))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| error.to_string())
    }
}

/// The wait after `attempts` failed tries.
pub fn retry_after(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_RETRY)
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Sends the messages that are due, one transaction each, until none is left (or
/// [`ROUND`] were tried).
pub async fn send_due(db: &PgPool, mailer: &Mailer) -> sqlx::Result<Round> {
    let mut round = Round::default();
    while round.sent + round.failed < ROUND {
        let mut tx = db.begin().await?;
        let Some(mail) = db::mail_outbox::claim_next(&mut tx, MAX_ATTEMPTS).await? else {
            break;
        };
        match mailer.send(&mail).await {
            Ok(()) => {
                db::mail_outbox::mark_sent(&mut *tx, mail.mail_id).await?;
                round.sent += 1;
            }
            Err(error) => {
                let attempts = mail.attempts + 1;
                let wait = retry_after(attempts);
                tracing::warn!(
                    mail = mail.mail_id,
                    attempts,
                    %error,
                    "could not send an e-mail; {}",
                    if attempts >= MAX_ATTEMPTS {
                        "giving up".to_owned()
                    } else {
                        format!("will retry in {} s", wait.as_secs())
                    }
                );
                db::mail_outbox::mark_failed(&mut *tx, mail.mail_id, &error, wait.as_secs_f64())
                    .await?;
                round.failed += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(round)
}

/// The mail job: does nothing without `TOASOAN_SMTP_URL`.
pub async fn run(state: AppState) {
    let Some(smtp) = &state.config.smtp else {
        return;
    };
    let mailer = match Mailer::new(smtp) {
        Ok(mailer) => mailer,
        Err(error) => {
            tracing::error!(%error, "TOASOAN_SMTP_URL: no e-mail will be sent");
            return;
        }
    };
    let mut tick = tokio::time::interval(SEND_EVERY);
    loop {
        tick.tick().await;
        match send_due(&state.db, &mailer).await {
            Ok(round) if round.sent > 0 => tracing::info!(sent = round.sent, "sent e-mails"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not read the mail outbox; will retry"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_a_minute_up_to_six_hours() {
        let minutes = |attempts| retry_after(attempts).as_secs() / 60;
        assert_eq!(
            (1..=MAX_ATTEMPTS).map(minutes).collect::<Vec<_>>(),
            [1, 2, 4, 8, 16, 32, 64, 128]
        );
        assert_eq!(minutes(30), 360);
        assert_eq!(minutes(0), 1);
    }
}
