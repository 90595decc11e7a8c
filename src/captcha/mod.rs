//! "Mã kiểm tra": challenges made and checked on our own server (no third-party service).
//!
//! A challenge is an image of five distorted characters, or — for readers who cannot see it — a
//! question in Vietnamese drawn from a bank of varied wordings (`questions`), at most
//! [`QUESTIONS_PER_HOUR`] per IP, each one counted. It is stored in PostgreSQL (tests read the
//! answer with SQL), single-use (answering deletes it, right or wrong), expires after ten
//! minutes, and its answer never leaves the server.

mod questions;

use captcha::{
    Captcha,
    filters::{Dots, Noise, Wave},
};
use rand::{RngExt, seq::IndexedRandom};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::db;

/// Characters that cannot be mistaken for one another (no 0/o, 1/l/i, 5/s…).
const CHARS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'k', 'm', 'n', 'p', 'r', 't', 'u', 'v', 'w', 'x', 'y',
    '2', '3', '4', '6', '7', '8', '9',
];
const LENGTH: usize = 5;

/// Text questions one IP (or its hash) may take in an hour.
pub const QUESTIONS_PER_HOUR: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Question,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Question => "question",
        }
    }
}

/// A challenge as the page shows it: its id and, for a question, the question.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub captcha_id: String,
    pub kind: Kind,
    pub question: String,
}

impl Challenge {
    pub fn is_question(&self) -> bool {
        self.kind == Kind::Question
    }

    pub fn image_url(&self) -> String {
        format!("/ma-kiem-tra/{}.png", self.captcha_id)
    }
}

fn new_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    crate::text::hex(&bytes)
}

/// Draws `answer` distorted enough to resist OCR.
fn draw(answer: &str) -> Option<Vec<u8>> {
    let mut image = Captcha::new();
    for c in answer.chars() {
        image.set_chars(&[c]).add_char();
    }
    image
        .apply_filter(Noise::new(0.25))
        .apply_filter(Wave::new(2.0, 16.0).horizontal())
        .apply_filter(Wave::new(2.0, 12.0).vertical())
        .view(220, 90)
        .apply_filter(Dots::new(10).min_radius(2).max_radius(4))
        .as_png()
}

/// A new image challenge and its PNG.
pub async fn issue_image(db: &PgPool) -> anyhow::Result<(Challenge, Vec<u8>)> {
    let (answer, png) = tokio::task::spawn_blocking(|| {
        let mut rng = rand::rng();
        let answer: String = (0..LENGTH)
            .map(|_| *CHARS.choose(&mut rng).expect("chars"))
            .collect();
        let png = draw(&answer);
        (answer, png)
    })
    .await?;
    let png = png.ok_or_else(|| anyhow::anyhow!("the captcha image could not be drawn"))?;
    let challenge = Challenge {
        captcha_id: new_id(),
        kind: Kind::Image,
        question: String::new(),
    };
    db::captchas::insert(
        db,
        &challenge.captcha_id,
        Kind::Image.as_str(),
        &answer,
        "",
        Some(&png),
    )
    .await?;
    Ok((challenge, png))
}

/// A new text question for a reader who cannot see the image, or `None` when `ip` has had
/// [`QUESTIONS_PER_HOUR`] in the last hour. Each one given is counted.
pub async fn issue_question(db: &PgPool, ip: &str) -> anyhow::Result<Option<Challenge>> {
    if !db::captchas::record_question_use(db, ip, QUESTIONS_PER_HOUR).await? {
        return Ok(None);
    }
    let question = questions::ask();
    let challenge = Challenge {
        captcha_id: new_id(),
        kind: Kind::Question,
        question: question.text,
    };
    // The accepted answers, as compared, separated by "|".
    let answers: Vec<String> = question
        .answers
        .iter()
        .map(|a| questions::canonical(a))
        .collect();
    db::captchas::insert(
        db,
        &challenge.captcha_id,
        Kind::Question.as_str(),
        &answers.join("|"),
        &challenge.question,
        None,
    )
    .await?;
    Ok(Some(challenge))
}

/// What answering a challenge gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Right; the challenge was shown at `shown_at`.
    Passed { shown_at: OffsetDateTime },
    /// Wrong (the challenge is spent all the same).
    Wrong,
    /// Unknown, already used or expired.
    Missing,
}

/// Checks an answer and spends the challenge, right or wrong. `insecure` is the test-only
/// answer every challenge accepts (`TOASOAN_INSECURE_CAPTCHA`).
pub async fn redeem(
    db: &PgPool,
    captcha_id: &str,
    typed: &str,
    insecure: Option<&str>,
) -> sqlx::Result<Verdict> {
    let valid_id = captcha_id.len() == 32 && captcha_id.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid_id {
        return Ok(Verdict::Missing);
    }
    let Some(stored) = db::captchas::take(db, captcha_id).await? else {
        return Ok(Verdict::Missing);
    };
    if stored.expires_at <= OffsetDateTime::now_utc() {
        return Ok(Verdict::Missing);
    }
    let typed = questions::canonical(typed);
    let right = stored.answer.split('|').any(|answer| answer == typed)
        || insecure.is_some_and(|answer| typed == questions::canonical(answer));
    Ok(if right {
        Verdict::Passed {
            shown_at: stored.created_at,
        }
    } else {
        Verdict::Wrong
    })
}

/// The PNG of an image challenge that can still be answered.
pub async fn image(db: &PgPool, captcha_id: &str) -> sqlx::Result<Option<Vec<u8>>> {
    db::captchas::find_image(db, captcha_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_drawn_for_any_answer_from_the_alphabet() {
        let png = draw("ab2c9").unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let (w, h) = image::load_from_memory(&png)
            .map(|i| (i.width(), i.height()))
            .unwrap();
        assert_eq!((w, h), (220, 90));
    }
}
