//! The one TOML configuration file: typed, validated, and every error names its key and line.

pub mod regions;

use crate::lang::Lang;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub matrix: MatrixConfig,
    #[serde(default)]
    pub bot: BotConfig,
    #[serde(default)]
    pub access: AccessConfig,
    #[serde(default)]
    pub rooms: Vec<RoomConfig>,
    #[serde(default)]
    pub catalogue: CatalogueConfig,
    #[serde(default)]
    pub consultations: ConsultationsConfig,
    /// Work-ability teams whose meetings get an agenda of escalated consultations.
    #[serde(default)]
    pub teams: Vec<TeamConfig>,
    /// How many commands a person and a room may send before the bot slows them down.
    #[serde(default)]
    pub throttle: ThrottleConfig,
    /// An OpenAI-compatible chat-completions endpoint that may phrase catalogue answers.
    /// Absent (the default): answers are built from the cards' own text.
    pub answer_model: Option<AnswerModelConfig>,
}

/// The per-person and per-room throttle: a burst, then one more every so many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottleConfig {
    pub person_burst: u32,
    pub person_every_seconds: f64,
    pub room_burst: u32,
    pub room_every_seconds: f64,
    /// How long a person is not answered after being asked to slow down.
    pub quiet_seconds: u32,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig { person_burst: 10, person_every_seconds: 6.0, room_burst: 60, room_every_seconds: 1.0, quiet_seconds: 30 }
    }
}

/// Grounded phrasing: the model sees the question and the retrieved cards only, and the
/// answer still cites its cards. On any error or after `timeout_ms` the extractive
/// answer is sent instead.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerModelConfig {
    /// e.g. `http://127.0.0.1:8080/v1/chat/completions`
    pub url: String,
    pub model: String,
    /// Name of the environment variable that holds the API key (never the key itself).
    pub api_key_env: Option<String>,
    #[serde(default = "default_answer_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_answer_timeout_ms() -> u64 {
    2000
}

/// Where the service cards and regional data come from. Without `dir`, the cards
/// shipped with Kaveri are used.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueConfig {
    pub dir: Option<PathBuf>,
    pub regions_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub user_id: String,
    pub password: Option<String>,
    pub access_token: Option<String>,
    pub device_id: Option<String>,
    #[serde(default = "default_device_name")]
    pub device_name: String,
    /// Encrypts the local sqlite state and crypto store.
    pub store_passphrase: Option<String>,
    /// Server-side key backup passphrase; lets a fresh device recover E2EE keys.
    pub recovery_passphrase: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default)]
    pub default_language: Lang,
    #[serde(default = "default_display_name")]
    pub display_name: String,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            data_dir: default_data_dir(),
            default_language: Lang::default(),
            display_name: default_display_name(),
        }
    }
}

/// Allowlists. `users` and `servers` decide who may use the bot (both empty: anyone who
/// shares a room with it); `invite_users` and `invite_servers` only decide who may invite
/// it, unless `inviters_may_use` says they may also use it. Empty `rooms` means any room
/// it was invited to by an allowed inviter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    #[serde(default)]
    pub invite_users: Vec<String>,
    #[serde(default)]
    pub invite_servers: Vec<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub servers: Vec<String>,
    #[serde(default)]
    pub rooms: Vec<String>,
    /// Those allowed to invite the bot may also use it (before this key existed, they
    /// always could).
    #[serde(default)]
    pub inviters_may_use: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    /// A regional network room where professionals ask.
    Network,
    /// Where work-ability coordinators receive consultation tickets.
    Coordinators,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    pub id: String,
    pub kind: RoomKind,
    pub language: Option<Lang>,
    pub name: Option<String>,
    /// For a coordinators' room: the county (id in config/regions) whose tickets it takes.
    /// A coordinators' room without a county takes every county's tickets.
    pub county: Option<String>,
}

/// A local work-ability team (työkykytiimi). The working day before each meeting, at
/// 9.00, the bot posts the consultations escalated to it into `room`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    pub id: String,
    pub room: String,
    /// Whose tickets the team takes (a county id in config/regions); none: all.
    pub county: Option<String>,
    /// A repeating time in any of the bot's languages: "joka toinen tiistai klo 13".
    pub schedule: String,
}

/// Who counts as a work-ability coordinator: those listed here and in the regions'
/// areas and topic rules, and anyone with at least `min_power_level` in a
/// coordinators' room.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationsConfig {
    #[serde(default)]
    pub coordinators: Vec<String>,
    #[serde(default = "default_min_power_level")]
    pub min_power_level: i64,
    /// An unclaimed ticket nudges its coordinators after this many office hours...
    #[serde(default = "default_nudge_hours")]
    pub nudge_after_hours: u32,
    /// ...and is posted to the county's fallback room after this many.
    #[serde(default = "default_fallback_hours")]
    pub fallback_after_hours: u32,
    /// A claimed ticket with no activity for this many business days reminds its owner.
    #[serde(default = "default_idle_days")]
    pub idle_after_days: u32,
    /// Where a consultation goes when its county has no coordinators' room of its own
    /// (default: the first coordinators' room without a county, else the first one).
    #[serde(default)]
    pub fallback_room: Option<String>,
}

impl Default for ConsultationsConfig {
    fn default() -> Self {
        ConsultationsConfig {
            coordinators: Vec::new(),
            min_power_level: default_min_power_level(),
            nudge_after_hours: default_nudge_hours(),
            fallback_after_hours: default_fallback_hours(),
            idle_after_days: default_idle_days(),
            fallback_room: None,
        }
    }
}

fn default_nudge_hours() -> u32 {
    4
}
fn default_fallback_hours() -> u32 {
    8
}
fn default_idle_days() -> u32 {
    3
}

fn default_min_power_level() -> i64 {
    50
}

fn default_device_name() -> String {
    "Kaveri".to_string()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_display_name() -> String {
    "Kaveri".to_string()
}

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}: {}", self.file, line, self.key, self.message),
            None => write!(f, "{}: {}: {}", self.file, self.key, self.message),
        }
    }
}

/// Every problem found, so an administrator can fix them in one go.
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let file = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError { file: file.clone(), line: None, key: "-".into(), message: e.to_string() }])
        })?;
        Config::parse(&source, &file)
    }

    pub fn parse(source: &str, file: &str) -> Result<Config, ConfigErrors> {
        let config: Config = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|span| line_of_offset(source, span.start));
            let message = e.message().to_string();
            // serde names the unknown or missing field in the message; the span gives the line.
            ConfigErrors(vec![ConfigError { file: file.to_string(), line, key: key_at(source, line), message }])
        })?;
        let problems = config.problems();
        if problems.is_empty() {
            return Ok(config);
        }
        Err(ConfigErrors(
            problems
                .into_iter()
                .map(|(path, message)| ConfigError {
                    file: file.to_string(),
                    line: find_key_line(source, &path),
                    key: path.join("."),
                    message,
                })
                .collect(),
        ))
    }

    /// Semantic checks beyond the types: (key path, message).
    fn problems(&self) -> Vec<(Vec<String>, String)> {
        let mut out = Vec::new();
        let key = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = &self.matrix;
        if !(m.homeserver.starts_with("http://") || m.homeserver.starts_with("https://")) {
            out.push((key(&["matrix", "homeserver"]), "must start with http:// or https://".into()));
        }
        if !is_user_id(&m.user_id) {
            out.push((key(&["matrix", "user_id"]), "must be a Matrix user id like @kaveri:example.org".into()));
        }
        match (&m.password, &m.access_token, &m.device_id) {
            (Some(_), None, _) => {}
            (None, Some(_), Some(_)) => {}
            (None, Some(_), None) => out.push((
                key(&["matrix", "device_id"]),
                "is required with access_token, so the bot keeps its device and encryption keys".into(),
            )),
            (Some(_), Some(_), _) => out.push((
                key(&["matrix", "access_token"]),
                "give either password or access_token, not both".into(),
            )),
            (None, None, _) => out.push((key(&["matrix", "password"]), "give password, or access_token with device_id".into())),
        }
        for (list, name) in [(&self.access.invite_users, "invite_users"), (&self.access.users, "users")] {
            for user in list {
                if !is_user_id(user) {
                    out.push((key(&["access", name]), format!("'{user}' is not a Matrix user id like @name:server")));
                }
            }
        }
        for (list, name) in [(&self.access.invite_servers, "invite_servers"), (&self.access.servers, "servers")] {
            for server in list {
                if server.is_empty() || server.contains(['@', ':', '/', ' ']) {
                    out.push((key(&["access", name]), format!("'{server}' is not a server name like example.org")));
                }
            }
        }
        if self.access.invite_users.is_empty() && self.access.invite_servers.is_empty() {
            out.push((
                key(&["access", "invite_users"]),
                "name at least one user or server (invite_servers) allowed to invite the bot".into(),
            ));
        }
        for room in &self.access.rooms {
            if !is_room_id(room) {
                out.push((key(&["access", "rooms"]), format!("'{room}' is not a room id like !abc:example.org")));
            }
        }
        for (i, room) in self.rooms.iter().enumerate() {
            if !is_room_id(&room.id) {
                out.push((
                    vec!["rooms".into(), i.to_string(), "id".into()],
                    format!("'{}' is not a room id like !abc:example.org", room.id),
                ));
            }
            if self.rooms[..i].iter().any(|r| r.id == room.id) {
                out.push((vec!["rooms".into(), i.to_string(), "id".into()], format!("room '{}' is listed twice", room.id)));
            }
        }
        for (i, team) in self.teams.iter().enumerate() {
            let at = |k: &str| vec!["teams".to_string(), i.to_string(), k.to_string()];
            if !is_room_id(&team.room) {
                out.push((at("room"), format!("'{}' is not a room id like !abc:example.org", team.room)));
            }
            let now = chrono::Utc::now().with_timezone(&crate::time::calendar::HELSINKI);
            match crate::time::expr::parse(&team.schedule, now) {
                Ok(parsed) if parsed.recurrence.is_some() => {}
                _ => out.push((at("schedule"), "must be a repeating time, like \"joka toinen tiistai klo 13\"".into())),
            }
        }
        let c = &self.consultations;
        if c.nudge_after_hours == 0 || c.fallback_after_hours <= c.nudge_after_hours {
            out.push((
                key(&["consultations", "fallback_after_hours"]),
                "must be more than nudge_after_hours, which must be at least 1".into(),
            ));
        }
        if c.idle_after_days == 0 {
            out.push((key(&["consultations", "idle_after_days"]), "must be at least 1".into()));
        }
        for user in &self.consultations.coordinators {
            if !is_user_id(user) {
                out.push((key(&["consultations", "coordinators"]), format!("'{user}' is not a Matrix user id like @name:server")));
            }
        }
        if let Some(model) = &self.answer_model {
            out.extend(model.problems().into_iter().map(|(k, message)| (key(&["answer_model", k]), message)));
        }
        out
    }

    /// The language a room is configured to speak, if any.
    pub fn room_language(&self, room: &str) -> Option<Lang> {
        self.rooms.iter().find(|r| r.id == room).and_then(|r| r.language)
    }

    pub fn may_invite(&self, user: &str) -> bool {
        self.access.invite_users.iter().any(|u| u == user)
            || self.access.invite_servers.iter().any(|s| Some(s.as_str()) == server_of(user))
    }

    pub fn may_use(&self, user: &str) -> bool {
        let a = &self.access;
        (a.users.is_empty() && a.servers.is_empty())
            || a.users.iter().any(|u| u == user)
            || a.servers.iter().any(|s| Some(s.as_str()) == server_of(user))
            || (a.inviters_may_use && self.may_invite(user))
    }

    /// The server part of the bot's user id.
    pub fn bot_server(&self) -> &str {
        self.matrix.user_id.split_once(':').map_or("", |(_, server)| server)
    }

    /// Whether a county's tickets have a coordinators' room (its own or a general one).
    pub fn has_coordinators_room_for(&self, county: &str) -> bool {
        self.rooms.iter().any(|r| r.kind == RoomKind::Coordinators && r.county.as_deref().is_none_or(|c| c == county))
    }

    /// The effective access policy in one line, for check-config and the start-up log.
    pub fn access_summary(&self) -> String {
        let a = &self.access;
        let list = |users: &[String], servers: &[String]| {
            let mut parts: Vec<String> = users.to_vec();
            parts.extend(servers.iter().map(|s| format!("anyone on {s}")));
            parts.join(", ")
        };
        let users = if a.users.is_empty() && a.servers.is_empty() {
            "anyone who shares a room with the bot".to_string()
        } else if a.inviters_may_use {
            format!("{}, and those who may invite it", list(&a.users, &a.servers))
        } else {
            list(&a.users, &a.servers)
        };
        let inviters = match list(&a.invite_users, &a.invite_servers) {
            none if none.is_empty() => "nobody".to_string(),
            some => some,
        };
        let rooms = if a.rooms.is_empty() { "any room it is invited to".to_string() } else { format!("{} listed rooms", a.rooms.len() + self.rooms.len()) };
        format!("access: may use the bot: {users}; may invite it: {inviters}; it stays in {rooms}")
    }

    /// Whether the bot should stay in a room (the allowlist, when one is given).
    pub fn room_allowed(&self, room: &str) -> bool {
        self.access.rooms.is_empty()
            || self.access.rooms.iter().any(|r| r == room)
            || self.rooms.iter().any(|r| r.id == room)
    }
}

impl AnswerModelConfig {
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let rest = self.url.strip_prefix("http://").or_else(|| self.url.strip_prefix("https://"));
        match rest {
            None => out.push(("url", "must start with http:// or https://".into())),
            Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) => {
                out.push(("url", "must name a host, like http://127.0.0.1:8080/v1/chat/completions".into()))
            }
            Some(_) => {}
        }
        if self.model.trim().is_empty() {
            out.push(("model", "must name the model the endpoint should use".into()));
        }
        if let Some(name) = &self.api_key_env {
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                out.push((
                    "api_key_env",
                    "must be the name of an environment variable holding the key (like KAVERI_MODEL_KEY), not the key".into(),
                ));
            }
        }
        if !(100..=10_000).contains(&self.timeout_ms) {
            out.push(("timeout_ms", "must be between 100 and 10000 (milliseconds)".into()));
        }
        out
    }
}

/// `!opaque:server`, or from room version 12 on just `!opaque`.
fn is_room_id(s: &str) -> bool {
    s.len() > 1 && s.starts_with('!') && !s.contains(char::is_whitespace)
}

fn is_user_id(s: &str) -> bool {
    s.starts_with('@') && s.len() > 3 && matches!(s.find(':'), Some(i) if i > 1 && i + 1 < s.len())
}

pub fn server_of(user: &str) -> Option<&str> {
    user.split_once(':').map(|(_, server)| server)
}

fn line_of_offset(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// The `key =` on a line, for parse errors whose message does not name the key.
fn key_at(source: &str, line: Option<usize>) -> String {
    line.and_then(|l| source.lines().nth(l - 1))
        .and_then(|text| text.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty() && !k.starts_with('['))
        .unwrap_or_else(|| "-".into())
}

/// Finds the line of `a.b` or `rooms.2.id` in a TOML source by following table headers;
/// falls back to the table's header line when the key itself is absent.
fn find_key_line(source: &str, path: &[String]) -> Option<usize> {
    let mut header: Vec<String> = Vec::new();
    let mut array_counts: std::collections::HashMap<String, usize> = Default::default();
    let (table, key) = path.split_at(path.len().saturating_sub(1));
    let mut table_line = None;
    for (i, raw) in source.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_string();
            let n = array_counts.entry(name.clone()).or_insert(0);
            header = vec![name, n.to_string()];
            *n += 1;
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            header = name.trim().split('.').map(|s| s.trim().to_string()).collect();
        } else if let Some((k, _)) = line.split_once('=') {
            if header == table && key.first().map(String::as_str) == Some(k.trim()) {
                return Some(i + 1);
            }
            continue;
        } else {
            continue;
        }
        if header == table {
            table_line = Some(i + 1);
        }
    }
    table_line
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[matrix]
homeserver = "http://127.0.0.1:8008"
user_id = "@kaveri:localhost"
password = "secret"

[access]
invite_users = ["@admin:localhost"]
invite_servers = ["example.org"]

[[rooms]]
id = "!net:localhost"
kind = "network"
language = "sv"
"#;

    #[test]
    fn good_config_loads_with_defaults() {
        let c = Config::parse(GOOD, "k.toml").unwrap();
        assert_eq!(c.bot.default_language, Lang::Fi);
        assert_eq!(c.room_language("!net:localhost"), Some(Lang::Sv));
        assert!(c.may_invite("@admin:localhost"));
        assert!(c.may_invite("@anyone:example.org"));
        assert!(!c.may_invite("@stranger:evil.org"));
        assert!(c.may_use("@stranger:evil.org"), "no user allowlist means anyone in the room");
    }

    #[test]
    fn inviters_may_not_use_the_bot_unless_the_config_says_so() {
        let src = GOOD.replace(
            "[access]\n",
            "[access]\nusers = [\"@alice:localhost\"]\n",
        )
        .replace("invite_servers = [\"example.org\"]", "invite_servers = [\"localhost\"]");
        let c = Config::parse(&src, "k.toml").unwrap();
        assert!(c.may_use("@alice:localhost"));
        assert!(c.may_invite("@bob:localhost"));
        assert!(!c.may_use("@bob:localhost"), "inviting is not using");
        assert!(!c.may_use("@admin:localhost"));
        assert_eq!(
            c.access_summary(),
            "access: may use the bot: @alice:localhost; may invite it: @admin:localhost, anyone on localhost; \
             it stays in any room it is invited to"
        );

        let c = Config::parse(&src.replace("[access]\n", "[access]\ninviters_may_use = true\n"), "k.toml").unwrap();
        assert!(c.may_use("@bob:localhost") && c.may_use("@admin:localhost"));
        assert!(!c.may_use("@mallory:evil.org"));
        assert!(c.access_summary().contains("@alice:localhost, and those who may invite it"), "{}", c.access_summary());
    }

    #[test]
    fn bad_value_names_key_and_line() {
        let src = GOOD.replace("http://127.0.0.1:8008", "127.0.0.1:8008");
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].key, "matrix.homeserver");
        assert_eq!(errs[0].line, Some(3));
        assert!(errs[0].to_string().starts_with("k.toml:3: matrix.homeserver:"), "{}", errs[0]);
    }

    #[test]
    fn unknown_key_and_bad_language_name_their_line() {
        let src = GOOD.replace("password = \"secret\"", "password = \"secret\"\npasword = \"x\"");
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        assert_eq!(errs[0].line, Some(6));
        assert!(errs[0].message.contains("pasword"), "{}", errs[0]);

        let src = GOOD.replace("language = \"sv\"", "language = \"de\"");
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        assert_eq!(errs[0].line, Some(14), "{}", errs[0]);
        assert_eq!(errs[0].key, "language");
    }

    #[test]
    fn problems_in_array_tables_point_at_the_right_entry() {
        let src = format!("{GOOD}\n[[rooms]]\nid = \"not-a-room\"\nkind = \"coordinators\"\n");
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        assert_eq!(errs[0].key, "rooms.1.id");
        assert_eq!(errs[0].line, Some(17));
    }

    #[test]
    fn login_needs_password_or_token_with_device() {
        let src = GOOD.replace("password = \"secret\"", "access_token = \"t\"");
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        assert_eq!(errs[0].key, "matrix.device_id");
        assert_eq!(errs[0].line, Some(2), "missing key points at its table");
    }

    #[test]
    fn answer_model_is_off_by_default_and_checked_when_given() {
        assert!(Config::parse(GOOD, "k.toml").unwrap().answer_model.is_none());
        let src = format!("{GOOD}\n[answer_model]\nurl = \"http://127.0.0.1:8080/v1/chat/completions\"\nmodel = \"m\"\n");
        let model = Config::parse(&src, "k.toml").unwrap().answer_model.unwrap();
        assert_eq!(model.timeout_ms, 2000);
        assert_eq!(model.api_key_env, None);

        let src = format!(
            "{GOOD}\n[answer_model]\nurl = \"ftp://model\"\nmodel = \"m\"\napi_key_env = \"sk-123\"\ntimeout_ms = 0\n"
        );
        let errs = Config::parse(&src, "k.toml").unwrap_err().0;
        let keys: Vec<_> = errs.iter().map(|e| (e.key.as_str(), e.line)).collect();
        assert_eq!(
            keys,
            [("answer_model.url", Some(17)), ("answer_model.api_key_env", Some(19)), ("answer_model.timeout_ms", Some(20))],
            "{errs:?}"
        );
    }

    #[test]
    fn shipped_example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/kaveri.example.toml");
        Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}
