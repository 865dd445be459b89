//! Loads every user-facing text from prompts/<lang>/ (embedded at build time, so the
//! binary works anywhere) and checks at start-up that each language has them all.

use super::format::{clean_echo, Message};
use super::Lang;
use std::collections::HashMap;
use std::fmt;

macro_rules! keys {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }
    };
}

keys! {
    /// A command, whatever the language it was typed in.
    pub enum CommandKey {
        Help => "help",
        Ask => "ask",
        Service => "service",
        Services => "services",
        Remind => "remind",
        Reminders => "reminders",
        Cancel => "cancel",
        Consult => "consult",
        Claim => "claim",
        Escalate => "escalate",
        Resolve => "resolve",
        Close => "close",
        Reopen => "reopen",
        Reassign => "reassign",
        Stats => "stats",
        Handoff => "handoff",
        Acknowledge => "acknowledge",
        Arrived => "arrived",
        Followup => "followup",
    }
}

keys! {
    /// A message in prompts/<lang>/messages.toml.
    pub enum MessageKey {
        Help => "help",
        UnknownCommand => "unknown_command",
        NotAllowed => "not_allowed",
        LeavingRoom => "leaving_room",
        AskEmpty => "ask_empty",
        AnswerSource => "answer_source",
        AnswerRelated => "answer_related",
        AnswerPartlyFinnish => "answer_partly_finnish",
        AnswerNotConfident => "answer_not_confident",
        AnswerGuesses => "answer_guesses",
        LabelTargetGroup => "label_target_group",
        LabelOffers => "label_offers",
        LabelAccess => "label_access",
        LabelCoordinator => "label_coordinator",
        LabelRelated => "label_related",
        ServiceUsage => "service_usage",
        ServiceNotFound => "service_not_found",
        ServicesHeader => "services_header",
        CategoryCoordination => "category_coordination",
        CategoryEmployment => "category_employment",
        CategoryRehabilitation => "category_rehabilitation",
        CategorySocial => "category_social",
        CategoryHealth => "category_health",
        CategoryBenefits => "category_benefits",
        CategoryTools => "category_tools",
        CategoryThirdSector => "category_third_sector",
        RemindUsage => "remind_usage",
        RemindSetSelf => "remind_set_self",
        RemindSetUser => "remind_set_user",
        RemindSetRoom => "remind_set_room",
        RemindRepeats => "remind_repeats",
        RemindFooter => "remind_footer",
        RemindNoText => "remind_no_text",
        RemindTooOften => "remind_too_often",
        RemindIdentityCode => "remind_identity_code",
        TryAgain => "try_again",
        TimeNotUnderstood => "time_not_understood",
        TimeInPast => "time_in_past",
        TimeInvalidDate => "time_invalid_date",
        TimeInvalidTime => "time_invalid_time",
        TimeWeekdayMismatch => "time_weekday_mismatch",
        TimeOutOfRange => "time_out_of_range",
        ReminderSelf => "reminder_self",
        ReminderUser => "reminder_user",
        ReminderRoom => "reminder_room",
        ReminderLate => "reminder_late",
        DeliveryLate => "delivery_late",
        ReminderSkipped => "reminder_skipped",
        RemindersHeader => "reminders_header",
        RemindersItem => "reminders_item",
        RemindersItemRepeats => "reminders_item_repeats",
        RemindersNone => "reminders_none",
        RemindersElsewhere => "reminders_elsewhere",
        RemindersFooter => "reminders_footer",
        TargetSelf => "target_self",
        TargetRoom => "target_room",
        TargetUser => "target_user",
        TargetFrom => "target_from",
        CancelUsage => "cancel_usage",
        CancelDone => "cancel_done",
        CancelDoneElsewhere => "cancel_done_elsewhere",
        CancelNotFound => "cancel_not_found",
        CancelNotYours => "cancel_not_yours",
        DateTime => "datetime",
        Clock => "clock",
        WeekdaysShort => "weekdays_short",
        WeekdaysPlural => "weekdays_plural",
        MonthNames => "month_names",
        DurationUnits => "duration_units",
        RuleWeekly => "rule_weekly",
        RuleEveryNWeeks => "rule_every_n_weeks",
        RuleDaily => "rule_daily",
        RuleEveryNDays => "rule_every_n_days",
        RuleEvery => "rule_every",
        RoomWords => "room_words",
        AnswerOfferConsult => "answer_offer_consult",
        ConsultUsage => "consult_usage",
        PrivacyHetu => "privacy_hetu",
        HandoffSentElsewhere => "handoff_sent_elsewhere",
        ReminderSentElsewhere => "reminder_sent_elsewhere",
        PlaceDirect => "place_direct",
        PlaceCoordinatorsThread => "place_coordinators_thread",
        DecimalSeparator => "decimal_separator",
        WordAnswerOne => "word_answer_one",
        WordAnswerMany => "word_answer_many",
        TicketEscalatedAsker => "ticket_escalated_asker",
        ConsultFallbackRoom => "consult_fallback_room",
        ReassignExtraWords => "reassign_extra_words",
        ReassignOldWord => "reassign_old_word",
        FeedbackHint => "feedback_hint",
        SlowDown => "slow_down",
        RedactionRefusedSender => "redaction_refused_sender",
        RedactionRefusedCoordinators => "redaction_refused_coordinators",
        PrivacyContactMasked => "privacy_contact_masked",
        ConsultAskMunicipality => "consult_ask_municipality",
        ConsultMunicipalityUnknown => "consult_municipality_unknown",
        ConsultNotConfigured => "consult_not_configured",
        ConsultOpened => "consult_opened",
        TicketNotice => "ticket_notice",
        TicketChanged => "ticket_changed",
        TicketClaimedAsker => "ticket_claimed_asker",
        TicketResolvedAsker => "ticket_resolved_asker",
        TicketTeamAgenda => "ticket_team_agenda",
        TicketSpecialChecklist => "ticket_special_checklist",
        RefusalNotCoordinator => "refusal_not_coordinator",
        RefusalNotFrom => "refusal_not_from",
        RefusalNotFromPossible => "refusal_not_from_possible",
        RefusalAlreadyClaimed => "refusal_already_claimed",
        RefusalAlreadyOwner => "refusal_already_owner",
        TicketNotFound => "ticket_not_found",
        TicketIdNeeded => "ticket_id_needed",
        ReassignUsage => "reassign_usage",
        RelayToAsker => "relay_to_asker",
        RelayToCoordinators => "relay_to_coordinators",
        FeedbackQuestion => "feedback_question",
        FeedbackThanks => "feedback_thanks",
        StatsHeader => "stats_header",
        StatsAllTime => "stats_all_time",
        StatsLine => "stats_line",
        StatsLabelMonth => "stats_label_month",
        StatsLabelMunicipality => "stats_label_municipality",
        StatsLabelTopic => "stats_label_topic",
        StatsLabelCoordinator => "stats_label_coordinator",
        StatsLabelStatus => "stats_label_status",
        StatsTimes => "stats_times",
        StatsFeedback => "stats_feedback",
        StatsUsage => "stats_usage",
        StatusOpen => "status_open",
        StatusClaimed => "status_claimed",
        StatusInProgress => "status_in_progress",
        StatusEscalatedTeam => "status_escalated_team",
        StatusEscalatedSpecial => "status_escalated_special",
        StatusResolved => "status_resolved",
        StatusClosed => "status_closed",
        AgendaHeader => "agenda_header",
        AgendaItem => "agenda_item",
        AgendaEmpty => "agenda_empty",
        DeadlineNudge => "deadline_nudge",
        DeadlineFallback => "deadline_fallback",
        DeadlineIdle => "deadline_idle",
        HandoffUsage => "handoff_usage",
        HandoffRecorded => "handoff_recorded",
        HandoffAcknowledged => "handoff_acknowledged",
        HandoffNothingToAck => "handoff_nothing_to_ack",
        HandoffRemindReceiver => "handoff_remind_receiver",
        HandoffRemindSender => "handoff_remind_sender",
        HandoffCheckIn => "handoff_check_in",
        HandoffArrivalRecorded => "handoff_arrival_recorded",
        HandoffArrivedYes => "handoff_arrived_yes",
        HandoffArrivedNo => "handoff_arrived_no",
        ArrivalUsage => "arrival_usage",
        FollowupText => "followup_text",
        FollowupUsage => "followup_usage",
    }
}

#[derive(Debug)]
pub struct TextsError(String);

impl fmt::Display for TextsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextsError {}

struct LangTexts {
    messages: HashMap<String, String>,
    command_words: HashMap<CommandKey, Vec<String>>,
}

/// All texts in all languages, validated complete.
pub struct Texts {
    by_lang: HashMap<Lang, LangTexts>,
    /// Command word (lowercase) -> command and the language the word belongs to.
    command_index: HashMap<String, (CommandKey, Lang)>,
    /// Answer words (lowercase, any language) by kind.
    words: HashMap<&'static str, Vec<(String, Lang)>>,
    /// Scores 0–10 written as words ("kasi", "åtta", "eight"), lowercase.
    score_words: HashMap<String, u8>,
}

const EMBEDDED: [(Lang, &str, &str); 3] = [
    (Lang::Fi, include_str!("../../prompts/fi/messages.toml"), include_str!("../../prompts/fi/commands.toml")),
    (Lang::Sv, include_str!("../../prompts/sv/messages.toml"), include_str!("../../prompts/sv/commands.toml")),
    (Lang::En, include_str!("../../prompts/en/messages.toml"), include_str!("../../prompts/en/commands.toml")),
];

/// Answer words typed without `!` (prompts/<lang>/words.toml).
const EMBEDDED_WORDS: [(Lang, &str); 3] = [
    (Lang::Fi, include_str!("../../prompts/fi/words.toml")),
    (Lang::Sv, include_str!("../../prompts/sv/words.toml")),
    (Lang::En, include_str!("../../prompts/en/words.toml")),
];

/// A kind of answer word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// Accepting an offer ("kyllä").
    Yes,
    /// Confirming a checklist ("vahvistettu").
    Confirm,
    /// Declining ("ei").
    No,
}

impl Word {
    fn key(self) -> &'static str {
        match self {
            Word::Yes => "yes",
            Word::Confirm => "confirm",
            Word::No => "no",
        }
    }
}

impl Texts {
    /// The texts shipped in prompts/. Fails only if prompts/ itself is broken, which the
    /// unit tests catch before a release.
    pub fn embedded() -> Result<Texts, TextsError> {
        let mut by_lang = HashMap::new();
        let mut command_index = HashMap::new();
        for (lang, messages_src, commands_src) in EMBEDDED {
            let messages: HashMap<String, String> = toml::from_str(messages_src)
                .map_err(|e| TextsError(format!("prompts/{lang}/messages.toml: {e}")))?;
            let words: HashMap<String, Vec<String>> = toml::from_str(commands_src)
                .map_err(|e| TextsError(format!("prompts/{lang}/commands.toml: {e}")))?;
            for key in MessageKey::ALL {
                if !messages.contains_key(key.key()) {
                    return Err(TextsError(format!(
                        "prompts/{lang}/messages.toml: missing message '{}'",
                        key.key()
                    )));
                }
            }
            let mut command_words = HashMap::new();
            for &command in CommandKey::ALL {
                let list = words.get(command.key()).filter(|l| !l.is_empty()).ok_or_else(|| {
                    TextsError(format!("prompts/{lang}/commands.toml: missing command '{}'", command.key()))
                })?;
                for word in list {
                    let word = word.to_lowercase();
                    if let Some((other, other_lang)) = command_index.insert(word.clone(), (command, lang)) {
                        // The same word may name the same command in two languages; anything
                        // else would make the router guess.
                        if other != command {
                            return Err(TextsError(format!(
                                "command word '{word}' means both '{}' ({other_lang}) and '{}' ({lang})",
                                other.key(),
                                command.key()
                            )));
                        }
                        command_index.insert(word, (other, other_lang));
                    }
                }
                command_words.insert(command, list.clone());
            }
            by_lang.insert(lang, LangTexts { messages, command_words });
        }
        let mut words: HashMap<&'static str, Vec<(String, Lang)>> = HashMap::new();
        let mut score_words = HashMap::new();
        for (lang, source) in EMBEDDED_WORDS {
            let table: HashMap<String, Vec<String>> = toml::from_str(source)
                .map_err(|e| TextsError(format!("prompts/{lang}/words.toml: {e}")))?;
            let scores = table.get("scores").filter(|s| s.len() == 11).ok_or_else(|| {
                TextsError(format!("prompts/{lang}/words.toml: 'scores' must list the words for 0 to 10"))
            })?;
            for (value, alternatives) in scores.iter().enumerate() {
                for word in alternatives.split('|') {
                    score_words.insert(word.trim().to_lowercase(), value as u8);
                }
            }
            for kind in [Word::Yes, Word::Confirm, Word::No] {
                let list = table
                    .get(kind.key())
                    .ok_or_else(|| TextsError(format!("prompts/{lang}/words.toml: missing '{}'", kind.key())))?;
                words.entry(kind.key()).or_default().extend(list.iter().map(|w| (w.to_lowercase(), lang)));
            }
        }
        Ok(Texts { by_lang, command_index, words, score_words })
    }

    fn lang(&self, lang: Lang) -> &LangTexts {
        &self.by_lang[&lang]
    }

    /// A message with `{name}` placeholders filled: raw in the plain text, escaped in HTML.
    pub fn message(&self, lang: Lang, key: MessageKey, args: &[(&str, &str)]) -> Message {
        self.render(&self.lang(lang).messages[key.key()], args)
    }

    /// A message's markup with `{name}` placeholders filled, for composing longer
    /// messages before rendering them once with `Message::from_markup`.
    pub fn fill(&self, lang: Lang, key: MessageKey, args: &[(&str, &str)]) -> String {
        fill_placeholders(self.lang(lang).messages[key.key()].trim_matches('\n'), args, false)
    }

    /// As [`Texts::message`], with one placeholder given HTML of its own for the HTML
    /// part (`rich` = name, HTML): a person's formatted text, already sanitised to what
    /// Matrix allows. The plain part gets the plain value from `args`.
    pub fn message_with_html(&self, lang: Lang, key: MessageKey, args: &[(&str, &str)], rich: (&str, &str)) -> Message {
        let message = Message::from_markup(&self.lang(lang).messages[key.key()]);
        let (name, html) = rich;
        // Made inert like any repeated text (no @room through the bot), and never cut:
        // the caller relays only HTML short enough to go whole.
        let html = clean_echo(html, html.chars().count() + 1);
        let marker = "\u{F8FF}kaveri-html\u{F8FF}";
        let others: Vec<(&str, &str)> = args.iter().copied().filter(|(n, _)| *n != name).chain([(name, marker)]).collect();
        Message {
            plain: fill_placeholders(&message.plain, args, false),
            html: fill_placeholders(&message.html, &others, true).replacen(marker, &html, 1),
        }
    }

    /// Renders any prompts/ markup with arguments, for templates kept outside messages.toml.
    pub fn render(&self, markup: &str, args: &[(&str, &str)]) -> Message {
        let message = Message::from_markup(markup);
        Message {
            plain: fill_placeholders(&message.plain, args, false),
            html: fill_placeholders(&message.html, args, true),
        }
    }

    /// A feedback score 0–10 as people write it: "8", "8/10", "10/10, kiitos", "kasi",
    /// "åtta", "eight", "8️⃣". None when the message holds no score, more than one, or is
    /// too long to be an answer to "how useful was it?".
    pub fn feedback_score(&self, text: &str) -> Option<u8> {
        let text = text.trim().to_lowercase();
        if text.chars().count() > 60 {
            return None;
        }
        let mut found: Vec<u8> = Vec::new();
        let mut add = |value: u8| {
            if !found.contains(&value) {
                found.push(value);
            }
        };
        if text.contains('🔟') {
            add(10);
        }
        // "8/10" and "8 / 10" are one score, not two numbers.
        let spaced = text.replace(" / ", "/").replace("/ ", "/").replace(" /", "/");
        for token in spaced.split(|c: char| !(c.is_alphanumeric() || c == '/')) {
            let number = token.strip_suffix("/10").unwrap_or(token);
            if let Ok(value) = number.parse::<u32>() {
                match u8::try_from(value) {
                    Ok(value) if value <= 10 => add(value),
                    _ => return None,
                }
            } else if let Some(&value) = self.score_words.get(number) {
                add(value);
            }
        }
        match found.as_slice() {
            [score] => Some(*score),
            _ => None,
        }
    }

    /// Whether a whole message is one of the answer words of `kind`, and in which language.
    pub fn answer_word(&self, kind: Word, text: &str) -> Option<Lang> {
        let text = text.trim().trim_end_matches(['.', '!']).to_lowercase();
        self.words[kind.key()].iter().find(|(w, _)| *w == text).map(|(_, lang)| *lang)
    }

    /// Whether `text` contains an answer word of `kind` as a whole word.
    pub fn has_word(&self, kind: Word, text: &str) -> bool {
        let lower = text.to_lowercase();
        lower.split(|c: char| !c.is_alphanumeric()).any(|token| self.words[kind.key()].iter().any(|(w, _)| w == token))
    }

    /// Which command a typed word names, and in which language.
    pub fn command(&self, word: &str) -> Option<(CommandKey, Lang)> {
        self.command_index.get(&word.to_lowercase()).copied()
    }

    /// The main word for a command in a language, as shown in help texts.
    pub fn command_word(&self, lang: Lang, command: CommandKey) -> &str {
        &self.lang(lang).command_words[&command][0]
    }
}

pub use MessageKey as Msg;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_scores_are_read_as_people_write_them() {
        let t = Texts::embedded().unwrap();
        for (text, score) in [
            ("8", 8),
            (" 8/10 ", 8),
            ("8 / 10", 8),
            ("10/10, kiitos!", 10),
            ("kasi", 8),
            ("Kasi, hyvä apu", 8),
            ("åtta", 8),
            ("eight, thanks", 8),
            ("0", 0),
            ("7\u{fe0f}\u{20e3}", 7),
            ("🔟", 10),
            ("kymppi!", 10),
        ] {
            assert_eq!(t.feedback_score(text), Some(score), "{text:?}");
        }
        for text in ["11", "hyvä", "7 tai 8", "asiakas 55 v", "", "kiitos paljon, tämä auttoi meitä todella paljon ja asiakas pääsi 2 viikossa eteenpäin"] {
            assert_eq!(t.feedback_score(text), None, "{text:?}");
        }
    }
    use regex::Regex;

    #[test]
    fn every_language_has_every_message_and_command() {
        let texts = Texts::embedded().expect("prompts/ must load");
        for lang in Lang::ALL {
            for key in MessageKey::ALL {
                assert!(!texts.message(lang, *key, &[]).plain.trim().is_empty(), "{lang} {key:?}");
            }
        }
    }

    #[test]
    fn placeholders_match_across_languages() {
        let placeholder = Regex::new(r"\{[a-z_]+\}").unwrap();
        let texts = Texts::embedded().unwrap();
        for key in MessageKey::ALL {
            let mut sets = Lang::ALL.iter().map(|lang| {
                let raw = &texts.lang(*lang).messages[key.key()];
                let mut found: Vec<&str> = placeholder.find_iter(raw).map(|m| m.as_str()).collect();
                found.sort();
                found.dedup();
                found
            });
            let fi = sets.next().unwrap();
            for other in sets {
                assert_eq!(fi, other, "placeholders of '{}' differ between languages", key.key());
            }
        }
    }

    #[test]
    fn command_words_resolve_to_their_language() {
        let texts = Texts::embedded().unwrap();
        assert_eq!(texts.command("apua"), Some((CommandKey::Help, Lang::Fi)));
        assert_eq!(texts.command("HJÄLP"), Some((CommandKey::Help, Lang::Sv)));
        assert_eq!(texts.command("help"), Some((CommandKey::Help, Lang::En)));
        assert_eq!(texts.command("nonsense"), None);
    }

    #[test]
    fn arguments_are_escaped_in_html_only() {
        let texts = Texts::embedded().unwrap();
        let m = texts.message(Lang::En, MessageKey::UnknownCommand, &[("command", "<x>")]);
        assert!(m.plain.contains("!<x>"));
        assert!(m.html.contains("!&lt;x&gt;"));
    }
}

/// The longest argument a message repeats, in characters: room for a coordinator's
/// long answer, not for a pasted document.
const LONGEST_ARGUMENT: usize = 4000;

/// Fills `{name}` placeholders in one pass, so a value that itself contains `{name}` is
/// never filled in again. Values are cleaned for echoing (see [`clean_echo`]) and, for
/// HTML, escaped.
fn fill_placeholders(template: &str, args: &[(&str, &str)], html: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, value)| (close, *value))
        });
        match value {
            Some((close, value)) => {
                let value = clean_echo(value, LONGEST_ARGUMENT);
                out.push_str(&if html { super::format::text_to_html(&value) } else { value });
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
