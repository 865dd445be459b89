//! Optional grounded phrasing: an OpenAI-compatible chat-completions model rewrites a
//! confident catalogue answer from the retrieved cards only. The model's text never
//! replaces the citation: Kaveri appends the cards' source lines itself. On any error,
//! an empty or suspicious reply, or after the timeout (2 s by default), the extractive
//! answer is sent instead.
//!
//! This is adapter-side I/O: the engine only decides (`Action::Answer`); the console
//! and Matrix adapters call [`answer`]. Questions and replies are logged at debug only.

use super::{Card, Catalogue, Field};
use crate::config::AnswerModelConfig;
use crate::privacy;
use crate::kernel::Grounding;
use crate::lang::{Lang, Message, Msg, Texts};
use std::fmt;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A reply longer than this is not the short answer that was asked for.
const MAX_REPLY_CHARS: usize = 1200;
const MAX_REPLY_LINES: usize = 8;
const MAX_TOKENS: u32 = 400;

/// The system prompt for answers in `lang`, from prompts/<lang>/answer.md.
pub fn system_prompt(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => include_str!("../../prompts/fi/answer.md"),
        Lang::Sv => include_str!("../../prompts/sv/answer.md"),
        Lang::En => include_str!("../../prompts/en/answer.md"),
    }
}

/// A configured answer model. Cheap to clone (the HTTP agent is shared).
#[derive(Clone)]
pub struct Phraser {
    url: String,
    model: String,
    api_key: Option<String>,
    timeout: Duration,
    agent: ureq::Agent,
}

impl fmt::Debug for Phraser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("Phraser")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a phrased answer was not used. Carries no question or reply text, so it can be
/// logged at any level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseError {
    NoCards,
    Timeout,
    Transport(String),
    Status(u16),
    Malformed,
    Truncated,
    Empty,
    TooLong,
    PersonalData,
}

impl fmt::Display for PhraseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhraseError::NoCards => write!(f, "none of the answer's cards is in the catalogue"),
            PhraseError::Timeout => write!(f, "no reply in time"),
            PhraseError::Transport(e) => write!(f, "request failed: {e}"),
            PhraseError::Status(code) => write!(f, "the endpoint answered HTTP {code}"),
            PhraseError::Malformed => write!(f, "the reply is not a chat completion"),
            PhraseError::Truncated => write!(f, "the reply was cut off at the token limit"),
            PhraseError::Empty => write!(f, "the reply is empty"),
            PhraseError::TooLong => write!(f, "the reply is too long"),
            PhraseError::PersonalData => write!(f, "the reply contains personal data"),
        }
    }
}

impl std::error::Error for PhraseError {}

impl Phraser {
    /// The key, if any, is read from the environment variable the config names.
    pub fn from_config(config: &AnswerModelConfig) -> Phraser {
        let api_key = config.api_key_env.as_deref().and_then(|name| match std::env::var(name) {
            Ok(key) if !key.trim().is_empty() => Some(key.trim().to_string()),
            _ => {
                tracing::warn!(variable = name, "the answer model's key variable is not set; calling it without a key");
                None
            }
        });
        Phraser::new(&config.url, &config.model, api_key, Duration::from_millis(config.timeout_ms))
    }

    pub fn new(url: &str, model: &str, api_key: Option<String>, timeout: Duration) -> Phraser {
        // The overall deadline covers connecting, sending and reading the whole body;
        // `complete` adds a hard stop around it (name resolution is not covered).
        let agent = ureq::AgentBuilder::new().timeout(timeout).redirects(0).build();
        Phraser { url: url.to_string(), model: model.to_string(), api_key, timeout, agent }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The model's answer to `question` from `cards`, checked; blocks at most `timeout`.
    pub fn phrase(&self, question: &str, lang: Lang, cards: &[&Card], texts: &Texts) -> Result<String, PhraseError> {
        if cards.is_empty() {
            return Err(PhraseError::NoCards);
        }
        let body = request_body(&self.model, question, lang, cards, texts).to_string();
        let reply = self.complete(body)?;
        check_reply(&reply)
    }

    /// Posts the request on a worker thread and waits for it no longer than the timeout.
    fn complete(&self, body: String) -> Result<String, PhraseError> {
        let (tx, rx) = mpsc::channel();
        let this = self.clone();
        std::thread::Builder::new()
            .name("kaveri-answer-model".into())
            .spawn(move || {
                let _ = tx.send(this.post(&body));
            })
            .map_err(|e| PhraseError::Transport(e.to_string()))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(_) => Err(PhraseError::Timeout),
        }
    }

    fn post(&self, body: &str) -> Result<String, PhraseError> {
        let mut request = self.agent.post(&self.url).set("Content-Type", "application/json");
        if let Some(key) = &self.api_key {
            request = request.set("Authorization", &format!("Bearer {key}"));
        }
        let response = request.send_string(body).map_err(|e| match e {
            ureq::Error::Status(code, _) => PhraseError::Status(code),
            ureq::Error::Transport(t) if is_timeout(&t) => PhraseError::Timeout,
            ureq::Error::Transport(t) => PhraseError::Transport(t.kind().to_string()),
        })?;
        let text = response.into_string().map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => PhraseError::Timeout,
            _ => PhraseError::Transport(e.kind().to_string()),
        })?;
        parse_reply(&text)
    }
}

fn is_timeout(t: &ureq::Transport) -> bool {
    use std::error::Error;
    let mut source = t.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
                return true;
            }
        }
        source = e.source();
    }
    false
}

/// Headings of the user message, in the answer's language.
fn headings(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Fi => ("Kysymys", "Palvelukortti"),
        Lang::Sv => ("Fråga", "Tjänstekort"),
        Lang::En => ("Question", "Service card"),
    }
}

fn label(field: Field) -> Option<Msg> {
    match field {
        Field::TargetGroup => Some(Msg::LabelTargetGroup),
        Field::Offers => Some(Msg::LabelOffers),
        Field::Access => Some(Msg::LabelAccess),
        Field::Coordinator => Some(Msg::LabelCoordinator),
        Field::Name | Field::Summary => None,
    }
}

/// A card's text for the model: every field in `lang`, in Finnish where `lang` lacks it.
pub fn card_text(card: &Card, lang: Lang, texts: &Texts) -> String {
    let (_, heading_card) = headings(lang);
    let mut lines = vec![
        format!("### {heading_card} `{}`: {}", card.id, card.field(lang, Field::Name).0),
        card.field(lang, Field::Summary).0.to_string(),
    ];
    for field in [Field::TargetGroup, Field::Offers, Field::Access, Field::Coordinator] {
        let (text, _) = card.field(lang, field);
        if let (Some(msg), false) = (label(field), text.trim().is_empty()) {
            lines.push(format!("{}: {}", texts.fill(lang, msg, &[]), text.trim()));
        }
    }
    lines.join("\n")
}

/// The user message: the question and the retrieved cards, nothing else.
pub fn user_message(question: &str, lang: Lang, cards: &[&Card], texts: &Texts) -> String {
    let (heading_question, _) = headings(lang);
    let mut parts = vec![format!("### {heading_question}\n{}", question.trim())];
    parts.extend(cards.iter().map(|card| card_text(card, lang, texts)));
    parts.join("\n\n")
}

pub fn request_body(model: &str, question: &str, lang: Lang, cards: &[&Card], texts: &Texts) -> serde_json::Value {
    serde_json::json!({
        "model": model,
        "messages": [
            { "role": "system", "content": system_prompt(lang).trim() },
            { "role": "user", "content": user_message(question, lang, cards, texts) },
        ],
        "temperature": 0.2,
        "max_tokens": MAX_TOKENS,
        "stream": false,
    })
}

/// `choices[0].message.content` of a chat-completions response.
pub fn parse_reply(body: &str) -> Result<String, PhraseError> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|_| PhraseError::Malformed)?;
    let choice = &value["choices"][0];
    if choice["finish_reason"].as_str() == Some("length") {
        return Err(PhraseError::Truncated);
    }
    choice["message"]["content"].as_str().map(str::to_string).ok_or(PhraseError::Malformed)
}

/// Accepts a short reply without personal data; drops blank lines.
fn check_reply(reply: &str) -> Result<String, PhraseError> {
    let lines: Vec<&str> = reply.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(PhraseError::Empty);
    }
    let text = lines.join("\n");
    if lines.len() > MAX_REPLY_LINES || text.chars().count() > MAX_REPLY_CHARS {
        return Err(PhraseError::TooLong);
    }
    if !privacy::scan(&text).is_empty() {
        return Err(PhraseError::PersonalData);
    }
    Ok(text)
}

/// The model's text followed by one source line per card it was given; the first also
/// names up to two related cards, as the extractive answer does.
pub fn with_sources(reply: &str, cards: &[&Card], catalogue: &Catalogue, lang: Lang, texts: &Texts) -> Message {
    let mut lines = vec![reply.trim().to_string()];
    for (i, card) in cards.iter().enumerate() {
        let mut line = texts.fill(lang, Msg::AnswerSource, &[("card", card.raw_text(lang).short_name()), ("id", &card.id)]);
        let related: Vec<&str> = card
            .related
            .iter()
            .filter(|id| !cards.iter().any(|c| &c.id == *id))
            .filter_map(|id| catalogue.card(id))
            .take(2)
            .map(|c| c.raw_text(lang).short_name())
            .collect();
        if i == 0 && !related.is_empty() {
            line.push_str(" · ");
            line.push_str(&texts.fill(lang, Msg::AnswerRelated, &[("cards", &related.join(", "))]));
        }
        lines.push(line);
    }
    Message::from_markup(&lines.join("\n"))
}

/// What to send for an `Action::Answer`: the phrased answer with its sources when a
/// phraser is configured and it succeeds in time, else `fallback`. Blocks at most the
/// phraser's timeout.
pub fn answer(
    phraser: Option<&Phraser>,
    catalogue: &Catalogue,
    texts: &Texts,
    grounding: &Grounding,
    fallback: &Message,
) -> Message {
    let Some(phraser) = phraser else { return fallback.clone() };
    let cards: Vec<&Card> = grounding.card_ids.iter().filter_map(|id| catalogue.card(id)).collect();
    let started = Instant::now();
    match phraser.phrase(&grounding.question, grounding.lang, &cards, texts) {
        Ok(reply) => {
            tracing::debug!(question = %grounding.question, reply = %reply, "answer model reply");
            tracing::info!(cards = cards.len(), ms = started.elapsed().as_millis() as u64, "answer phrased by the model");
            with_sources(&reply, &cards, catalogue, grounding.lang, texts)
        }
        Err(e) => {
            tracing::warn!(error = %e, ms = started.elapsed().as_millis() as u64, "answer model not used; sending the extractive answer");
            fallback.clone()
        }
    }
}

#[cfg(test)]
mod tests;
