//! What the kernel and every capability know about the deployment, read once from the
//! config file (or, for `kaveri chat`, made up of defaults).

use crate::config::regions::Regions;
use crate::config::{Config, ConsultationsConfig, RoomKind, TeamConfig};
use crate::lang::Lang;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bot_user: String,
    pub display_name: String,
    pub default_lang: Lang,
    /// The full config when running on Matrix; none in the console.
    pub config: Option<Config>,
    /// Counties, municipalities and the coordinators who serve them.
    pub regions: Regions,
    /// Where consultations go (the `[[rooms]]` of kind "coordinators").
    pub coordinators_rooms: Vec<CoordinatorsRoom>,
    /// The `[consultations]` section: coordinators, power level, deadlines, fallback room.
    pub consultations: ConsultationsConfig,
}

#[derive(Debug, Clone)]
pub struct CoordinatorsRoom {
    pub id: String,
    /// None: takes every county's tickets.
    pub county: Option<String>,
}

/// The console's stand-in for a coordinators' room, so consultations can be tried there.
pub const CONSOLE_COORDINATORS_ROOM: &str = "!koordinaattorit:example.org";

impl Settings {
    /// Fails when the configured regions directory is broken; the message names the file.
    pub fn from_config(config: &Config) -> anyhow::Result<Settings> {
        let regions = match &config.catalogue.regions_dir {
            Some(dir) => Regions::load_dir(dir).map_err(|problems| anyhow::anyhow!("{}", problems.join("\n")))?,
            None => Regions::shipped(),
        };
        let coordinators_rooms = config
            .rooms
            .iter()
            .filter(|r| r.kind == RoomKind::Coordinators)
            .map(|r| CoordinatorsRoom { id: r.id.clone(), county: r.county.clone() })
            .collect();
        Ok(Settings {
            bot_user: config.matrix.user_id.clone(),
            display_name: config.bot.display_name.clone(),
            default_lang: config.bot.default_language,
            config: Some(config.clone()),
            regions,
            coordinators_rooms,
            consultations: config.consultations.clone(),
        })
    }

    /// The console: no config; consultations go to a stand-in coordinators' room and are
    /// routed with the shipped regions.
    pub fn console(bot_user: &str) -> Settings {
        Settings {
            bot_user: bot_user.to_string(),
            display_name: "Kaveri".into(),
            default_lang: Lang::Fi,
            config: None,
            regions: Regions::shipped(),
            coordinators_rooms: vec![CoordinatorsRoom { id: CONSOLE_COORDINATORS_ROOM.into(), county: None }],
            consultations: ConsultationsConfig { min_power_level: 50, ..Default::default() },
        }
    }

    /// The language a room speaks: configured, else the bot's default.
    pub fn room_lang(&self, room: &str) -> Lang {
        self.config.as_ref().and_then(|c| c.room_language(room)).unwrap_or(self.default_lang)
    }

    /// The work-ability teams whose meetings get agendas.
    pub fn teams(&self) -> &[TeamConfig] {
        self.config.as_ref().map_or(&[], |c| c.teams.as_slice())
    }

    /// The county a room belongs to, when the config gives it one.
    pub fn room_county(&self, room: &str) -> Option<String> {
        self.config.as_ref().and_then(|c| c.rooms.iter().find(|r| r.id == room)?.county.clone())
    }

    /// The coordinators' rooms that look after `room`: those of its county, when the
    /// config gives it one, else every coordinators' room.
    pub fn coordinators_rooms_for(&self, room: &str) -> Vec<String> {
        let county = self.room_county(room);
        let rooms = &self.coordinators_rooms;
        let of_county: Vec<String> = rooms
            .iter()
            .filter(|r| county.is_some() && (r.county == county || r.county.is_none()))
            .map(|r| r.id.clone())
            .collect();
        if of_county.is_empty() {
            rooms.iter().map(|r| r.id.clone()).filter(|id| id != room).collect()
        } else {
            of_county
        }
    }

    /// Words that address the bot at the start of a message, longest first.
    pub fn names(&self) -> Vec<String> {
        let localpart = self.bot_user.trim_start_matches('@').split(':').next().unwrap_or_default();
        let mut names = vec![self.bot_user.clone(), format!("@{localpart}"), self.display_name.clone()];
        if !localpart.eq_ignore_ascii_case(&self.display_name) {
            names.push(localpart.to_string());
        }
        // Longest first, so "@kaveri:server" wins over "@kaveri".
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names
    }
}
