//! Wellbeing services counties, their municipalities and the coordinator areas that
//! serve them (config/regions/<county>.toml). Consultation routing reads these.

use crate::lang::{fold, Lang};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalNames {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct County {
    pub id: String,
    pub name: LocalNames,
    pub language: Lang,
    /// Where tickets go when no area or topic rule names a coordinator.
    pub coordinators_room: String,
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Finnish name -> Swedish name, so "Åbo" finds Turku.
    #[serde(default)]
    pub swedish_names: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub municipalities: Vec<String>,
    #[serde(default)]
    pub coordinators: Vec<String>,
}

/// Questions on a topic (e.g. IPS) go to named coordinators whatever the municipality.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRule {
    pub id: String,
    pub coordinators: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionFile {
    pub county: County,
    #[serde(default)]
    pub area: Vec<Area>,
    #[serde(default)]
    pub topic: Vec<TopicRule>,
}

#[derive(Debug, Clone, Default)]
pub struct Regions {
    pub files: Vec<RegionFile>,
}

impl Regions {
    /// Loads every `*.toml` in `dir`; every problem is reported as `file[:line]: message`.
    pub fn load_dir(dir: &Path) -> Result<Regions, Vec<String>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| vec![format!("{}: {e}", dir.display())])?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let sources = paths.into_iter().map(|path| {
            let source = std::fs::read_to_string(&path).map_err(|e| e.to_string());
            (path.display().to_string(), source)
        });
        Regions::parse(sources)
    }

    /// The region files shipped in the binary, embedded from `config/regions` at compile time.
    pub fn shipped() -> Regions {
        let sources = SHIPPED_REGIONS
            .iter()
            .map(|(name, text)| (format!("config/regions/{name}.toml"), Ok(text.to_string())));
        Regions::parse(sources).unwrap_or_else(|problems| panic!("shipped regions: {}", problems.join("\n")))
    }

    /// Parses and validates (file name, its text or why it could not be read) pairs.
    fn parse(sources: impl Iterator<Item = (String, Result<String, String>)>) -> Result<Regions, Vec<String>> {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for (name, source) in sources {
            let parsed = source.and_then(|src| {
                toml::from_str::<RegionFile>(&src).map_err(|e| {
                    let line = e.span().map(|s| src[..s.start].matches('\n').count() + 1);
                    match line {
                        Some(l) => format!("line {l}: {}", e.message()),
                        None => e.message().to_string(),
                    }
                })
            });
            match parsed {
                Ok(file) => files.push(file),
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
        let regions = Regions { files };
        problems.extend(regions.validate());
        if problems.is_empty() {
            Ok(regions)
        } else {
            Err(problems)
        }
    }

    /// Each municipality belongs to exactly one county and at most one area of it; ids
    /// are unique; coordinators are Matrix user ids.
    /// Coordinator accounts that cannot receive tickets from a bot on `bot_server`: the
    /// shipped `example.org` placeholders, and accounts on another server (possible over
    /// federation, but in a network's own setup more often a typo). Only counties that
    /// have a coordinators' room configured count: the others never receive a ticket.
    pub fn coordinator_warnings(&self, bot_server: &str, rooms_for: impl Fn(&str) -> bool) -> Vec<String> {
        let mut warnings = Vec::new();
        for file in self.files.iter().filter(|f| rooms_for(&f.county.id)) {
            let named = file
                .area
                .iter()
                .flat_map(|a| a.coordinators.iter().map(move |c| (format!("area {}", a.id), c)))
                .chain(file.topic.iter().flat_map(|t| t.coordinators.iter().map(move |c| (format!("topic {}", t.id), c))));
            for (place, user) in named {
                let server = user.split_once(':').map_or("", |(_, server)| server);
                if server == "example.org" {
                    warnings.push(format!("{}: {place}: {user} is a placeholder; put the real coordinator's account here", file.county.id));
                } else if server != bot_server {
                    warnings.push(format!("{}: {place}: {user} is not on the bot's server {bot_server}", file.county.id));
                }
            }
        }
        warnings
    }

    /// The coordinators the regions name for `county` (all counties when None), without
    /// the shipped `example.org` placeholders.
    pub fn coordinators_of(&self, county: Option<&str>) -> Vec<String> {
        let mut found: Vec<String> = self
            .files
            .iter()
            .filter(|f| county.is_none_or(|c| c == f.county.id))
            .flat_map(|f| f.area.iter().flat_map(|a| &a.coordinators).chain(f.topic.iter().flat_map(|t| &t.coordinators)))
            .filter(|user| !user.ends_with(":example.org"))
            .cloned()
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// A municipality's name as said in `lang`: the Swedish name in Swedish where the
    /// regions give one ("Kimitoön" for Kemiönsaari), else the Finnish name.
    pub fn municipality_name(&self, municipality: &str, lang: Lang) -> String {
        if lang == Lang::Sv {
            let swedish = self.files.iter().find_map(|f| f.county.swedish_names.get(municipality));
            if let Some(swedish) = swedish {
                return swedish.clone();
            }
        }
        municipality.to_string()
    }

    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut county_of: HashMap<String, &str> = HashMap::new();
        let mut county_ids: HashMap<&str, usize> = HashMap::new();
        for file in &self.files {
            let county = &file.county;
            *county_ids.entry(&county.id).or_default() += 1;
            for municipality in &county.municipalities {
                if let Some(other) = county_of.insert(fold(municipality), &county.id) {
                    problems.push(format!(
                        "municipality {municipality} is in both {other} and {}",
                        county.id
                    ));
                }
            }
            let mut area_of: HashMap<String, &str> = HashMap::new();
            for area in &file.area {
                for municipality in &area.municipalities {
                    if !county.municipalities.iter().any(|m| fold(m) == fold(municipality)) {
                        problems.push(format!(
                            "{}: area {} lists {municipality}, which is not a municipality of the county",
                            county.id, area.id
                        ));
                    }
                    if let Some(other) = area_of.insert(fold(municipality), &area.id) {
                        problems.push(format!(
                            "{}: municipality {municipality} is in both areas {other} and {}",
                            county.id, area.id
                        ));
                    }
                }
                for user in area.coordinators.iter().chain(file.topic.iter().flat_map(|t| &t.coordinators)) {
                    if !(user.starts_with('@') && user.contains(':')) {
                        problems.push(format!("{}: '{user}' is not a Matrix user id", county.id));
                    }
                }
            }
            for swedish in county.swedish_names.keys() {
                if !county.municipalities.contains(swedish) {
                    problems.push(format!("{}: swedish_names names {swedish}, not a municipality of the county", county.id));
                }
            }
        }
        for (id, count) in county_ids {
            if count > 1 {
                problems.push(format!("county id {id} is used by {count} files"));
            }
        }
        problems
    }

    pub fn municipality_count(&self) -> usize {
        self.files.iter().map(|f| f.county.municipalities.len()).sum()
    }
}


/// (county file name, region TOML) for every file in config/regions.
const SHIPPED_REGIONS: &[(&str, &str)] = &[
    ("etela-karjala", include_str!("../../config/regions/etela-karjala.toml")),
    ("etela-pohjanmaa", include_str!("../../config/regions/etela-pohjanmaa.toml")),
    ("etela-savo", include_str!("../../config/regions/etela-savo.toml")),
    ("helsinki", include_str!("../../config/regions/helsinki.toml")),
    ("ita-uusimaa", include_str!("../../config/regions/ita-uusimaa.toml")),
    ("kainuu", include_str!("../../config/regions/kainuu.toml")),
    ("kanta-hame", include_str!("../../config/regions/kanta-hame.toml")),
    ("keski-pohjanmaa", include_str!("../../config/regions/keski-pohjanmaa.toml")),
    ("keski-suomi", include_str!("../../config/regions/keski-suomi.toml")),
    ("keski-uusimaa", include_str!("../../config/regions/keski-uusimaa.toml")),
    ("kymenlaakso", include_str!("../../config/regions/kymenlaakso.toml")),
    ("lansi-uusimaa", include_str!("../../config/regions/lansi-uusimaa.toml")),
    ("lappi", include_str!("../../config/regions/lappi.toml")),
    ("paijat-hame", include_str!("../../config/regions/paijat-hame.toml")),
    ("pirkanmaa", include_str!("../../config/regions/pirkanmaa.toml")),
    ("pohjanmaa", include_str!("../../config/regions/pohjanmaa.toml")),
    ("pohjois-karjala", include_str!("../../config/regions/pohjois-karjala.toml")),
    ("pohjois-pohjanmaa", include_str!("../../config/regions/pohjois-pohjanmaa.toml")),
    ("pohjois-savo", include_str!("../../config/regions/pohjois-savo.toml")),
    ("satakunta", include_str!("../../config/regions/satakunta.toml")),
    ("vantaa-kerava", include_str!("../../config/regions/vantaa-kerava.toml")),
    ("varsinais-suomi", include_str!("../../config/regions/varsinais-suomi.toml")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_and_foreign_coordinator_accounts_are_warned_about() {
        let regions = Regions::shipped();
        let warnings = regions.coordinator_warnings("localhost", |county| county == "varsinais-suomi");
        assert!(warnings.iter().any(|w| w.contains("@koordinaattori.loimaa:example.org is a placeholder")), "{warnings:?}");
        assert!(warnings.iter().all(|w| w.starts_with("varsinais-suomi:")), "only counties with a room: {warnings:?}");
        assert!(regions.coordinator_warnings("localhost", |_| false).is_empty());
        // Placeholders are nobody to look for in a room's member list.
        assert!(regions.coordinators_of(Some("varsinais-suomi")).iter().all(|u| !u.ends_with(":example.org")));
    }

    #[test]
    fn shipped_regions_are_valid_and_cover_mainland_finland() {
        let regions = Regions::shipped();
        assert_eq!(regions.files.len(), 22, "21 wellbeing services counties and Helsinki");
        assert_eq!(regions.municipality_count(), 293);
        let vs = regions.files.iter().find(|f| f.county.id == "varsinais-suomi").unwrap();
        let loimaa = vs.area.iter().find(|a| a.id == "loimaa").unwrap();
        assert!(loimaa.municipalities.contains(&"Loimaa".to_string()));
    }

    #[test]
    fn shipped_regions_are_the_config_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/regions");
        let from_dir = Regions::load_dir(&dir).unwrap_or_else(|e| panic!("{}", e.join("\n")));
        let ids = |regions: &Regions| regions.files.iter().map(|f| f.county.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&Regions::shipped()), ids(&from_dir), "add or remove the file in SHIPPED_REGIONS");
    }

    #[test]
    fn a_municipality_in_two_counties_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = |id: &str| {
            format!(
                "[county]\nid = \"{id}\"\nname = {{ fi = \"a\", sv = \"b\", en = \"c\" }}\nlanguage = \"fi\"\n\
                 coordinators_room = \"#x:example.org\"\nmunicipalities = [\"Loimaa\"]\n"
            )
        };
        std::fs::write(dir.path().join("a.toml"), file("a")).unwrap();
        std::fs::write(dir.path().join("b.toml"), file("b")).unwrap();
        let problems = Regions::load_dir(dir.path()).unwrap_err();
        assert!(problems.iter().any(|p| p.contains("Loimaa is in both a and b")), "{problems:?}");
    }

    #[test]
    fn a_toml_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "[county]\nid = \"x\"\nlanguage = \"de\"\n").unwrap();
        let problems = Regions::load_dir(dir.path()).unwrap_err();
        assert!(problems[0].contains("bad.toml: line 3"), "{problems:?}");
    }
}
