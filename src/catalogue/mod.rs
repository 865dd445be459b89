//! The service catalogue: cards of work-ability services, their loading and
//! validation, and the search index that finds the card a question is about.

mod ages;
mod analysis;
mod context;
pub mod commands;
pub mod answer;
mod card;
mod eval;
mod routing;
mod steps;
mod index;
mod offtopic;
pub mod phrasing;
mod shipped;
#[cfg(feature = "voikko")]
mod voikko;

pub use analysis::voikko_in_use;
pub use card::{Card, CardText, Category, Field};
pub use eval::{evaluate, EvalReport, Miss};
pub use index::{Hit, Index, SearchResult};

use crate::lang::Lang;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// All service cards.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalogue {
    pub cards: Vec<Card>,
}

/// Why a catalogue could not be loaded.
#[derive(Debug)]
pub enum CatalogueError {
    /// The directory or a file in it could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A card file is not valid TOML or does not fit the card schema.
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A card's file name does not match its id.
    IdMismatch { path: PathBuf, id: String },
    /// The cards parsed but break the catalogue's rules (see [`Catalogue::validate`]).
    Invalid(Vec<String>),
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CatalogueError::Parse {
                path,
                line: Some(line),
                message,
            } => {
                write!(f, "{}:{line}: {message}", path.display())
            }
            CatalogueError::Parse {
                path,
                line: None,
                message,
            } => {
                write!(f, "{}: {message}", path.display())
            }
            CatalogueError::IdMismatch { path, id } => {
                write!(
                    f,
                    "{}: id '{id}' does not match the file name",
                    path.display()
                )
            }
            CatalogueError::Invalid(problems) => {
                write!(f, "invalid catalogue: {}", problems.join("; "))
            }
        }
    }
}

impl std::error::Error for CatalogueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CatalogueError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Parses one card file's text; `path` only names the file in errors.
fn parse_card(path: &Path, text: &str) -> Result<Card, CatalogueError> {
    let card: Card = toml::from_str(text).map_err(|e| CatalogueError::Parse {
        path: path.to_path_buf(),
        line: e
            .span()
            .map(|span| text[..span.start].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    if path.file_stem().and_then(|s| s.to_str()) != Some(card.id.as_str()) {
        return Err(CatalogueError::IdMismatch {
            path: path.to_path_buf(),
            id: card.id,
        });
    }
    Ok(card)
}

impl Catalogue {
    /// Loads every `*.toml` card in `dir` (in file-name order) and validates the result.
    pub fn load_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CatalogueError::Io { path, source }
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
            let path = entry.map_err(io_error(dir))?.path();
            if path.extension().is_some_and(|ext| ext == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut cards = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
            cards.push(parse_card(&path, &text)?);
        }
        let catalogue = Catalogue { cards };
        let problems = catalogue.validate();
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            Err(CatalogueError::Invalid(problems))
        }
    }

    /// The cards shipped in the binary, embedded from `config/catalogue` at compile time.
    pub fn shipped() -> Catalogue {
        let cards = shipped::SHIPPED
            .iter()
            .map(|(id, text)| {
                let path = PathBuf::from(format!("config/catalogue/{id}.toml"));
                parse_card(&path, text).unwrap_or_else(|e| panic!("shipped card: {e}"))
            })
            .collect();
        Catalogue { cards }
    }

    /// Every rule the catalogue breaks, one readable line each; empty when valid.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.cards.is_empty() {
            problems.push("the catalogue has no cards".to_string());
        }
        let mut ids = HashSet::new();
        for card in &self.cards {
            if !ids.insert(card.id.as_str()) {
                problems.push(format!("{}: duplicate id", card.id));
            }
        }
        let first_contacts: Vec<&str> = self.cards.iter().filter(|c| c.first_contact).map(|c| c.id.as_str()).collect();
        if first_contacts.len() > 1 {
            problems.push(format!("only one card may be first_contact, not {}", first_contacts.join(", ")));
        }
        for card in &self.cards {
            let id = &card.id;
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                problems.push(format!(
                    "{id}: id must be lowercase ASCII letters, digits and '-'"
                ));
            }
            for field in Field::ALL {
                if card.fi.get(field).is_none() {
                    problems.push(format!("{id}: fi.{} is missing or empty", field.key()));
                }
            }
            for lang in Lang::ALL {
                let text = card.raw_text(lang);
                for field in [Field::Name, Field::Summary] {
                    if text.get(field).is_none() {
                        problems.push(format!("{id}: {lang}.{} is empty", field.key()));
                    }
                }
                if !text.keywords.iter().any(|k| !k.trim().is_empty()) {
                    problems.push(format!("{id}: {lang}.keywords is empty"));
                }
            }
            if let Some(next) = &card.next_step {
                if next == id {
                    problems.push(format!("{id}: is its own next step"));
                } else if !ids.contains(next.as_str()) {
                    problems.push(format!("{id}: next step '{next}' does not exist"));
                } else if card.fi.step_words.is_empty() {
                    problems.push(format!("{id}: has a next step but no fi.step_words"));
                }
            }
            for related in &card.related {
                if related == id {
                    problems.push(format!("{id}: relates to itself"));
                } else if !ids.contains(related.as_str()) {
                    problems.push(format!("{id}: related card '{related}' does not exist"));
                }
            }
        }
        problems
    }

    pub fn card(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    /// The card whose id or name (in `lang` first, then any language) is `query`,
    /// ignoring case, umlauts and punctuation; failing that, the only card whose
    /// id or name starts with it.
    pub fn find_by_name_or_id(&self, query: &str, lang: Lang) -> Option<&Card> {
        let wanted = match_key(query);
        if wanted.is_empty() {
            return None;
        }
        let langs = std::iter::once(lang).chain(Lang::ALL.into_iter().filter(|&l| l != lang));
        let keys = |card: &Card, l: Lang| {
            let text = card.raw_text(l);
            [
                match_key(&card.id),
                match_key(&text.name),
                match_key(text.short_name()),
            ]
        };
        for l in langs {
            if let Some(card) = self.cards.iter().find(|c| keys(c, l).contains(&wanted)) {
                return Some(card);
            }
        }
        let mut prefixed = self.cards.iter().filter(|c| {
            Lang::ALL
                .iter()
                .any(|&l| keys(c, l).iter().any(|k| k.starts_with(&wanted)))
        });
        match (prefixed.next(), prefixed.next()) {
            (Some(card), None) => Some(card),
            _ => None,
        }
    }
}

/// Lowercased, folded words joined by single spaces, for comparing names and ids.
fn match_key(text: &str) -> String {
    let mut key = String::new();
    analysis::for_each_word(text, |word| {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    });
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = r#"
id = "kela-kuntoutus"
category = "rehabilitation"
related = []
source = "000.txt"
[fi]
name = "Kelan kuntoutus"
summary = "Kuntoutusta."
keywords = ["kuntoutus"]
target_group = "Työikäiset."
offers = "Kursseja."
access = "Hakemus."
coordinator = "Kela."
[sv]
name = "FPA:s rehabilitering"
summary = "Rehabilitering."
keywords = ["rehabilitering"]
[en]
name = "Kela rehabilitation"
summary = "Rehabilitation."
keywords = ["rehabilitation"]
offers = "Courses."
"#;

    fn card(id: &str) -> Card {
        let mut card: Card = toml::from_str(CARD).unwrap();
        card.id = id.to_string();
        card
    }

    #[test]
    fn shipped_catalogue_is_valid() {
        let catalogue = Catalogue::shipped();
        assert_eq!(catalogue.validate(), Vec::<String>::new());
    }

    #[test]
    fn shipped_list_matches_config_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/catalogue");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".toml").map(str::to_string)
            })
            .collect();
        on_disk.sort();
        let mut shipped: Vec<String> = shipped::SHIPPED
            .iter()
            .map(|(id, _)| id.to_string())
            .collect();
        shipped.sort();
        assert_eq!(
            shipped, on_disk,
            "src/catalogue/shipped.rs must list every card file"
        );
        assert_eq!(Catalogue::load_dir(&dir).unwrap(), Catalogue::shipped());
    }

    #[test]
    fn load_dir_names_file_and_line_of_toml_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kela-kuntoutus.toml"), CARD).unwrap();
        let broken = CARD
            .replace("kela-kuntoutus", "broken")
            .replace("summary = \"Kuntoutusta.\"", "summary = ");
        std::fs::write(dir.path().join("broken.toml"), broken).unwrap();
        let err = Catalogue::load_dir(dir.path()).unwrap_err();
        match &err {
            CatalogueError::Parse { path, line, .. } => {
                assert!(path.ends_with("broken.toml"));
                assert_eq!(*line, Some(8));
            }
            other => panic!("unexpected error {other}"),
        }
        assert!(err.to_string().contains("broken.toml:8:"));
    }

    #[test]
    fn load_dir_rejects_id_not_matching_file_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("other.toml"), CARD).unwrap();
        assert!(matches!(
            Catalogue::load_dir(dir.path()),
            Err(CatalogueError::IdMismatch { .. })
        ));
    }

    #[test]
    fn load_dir_reports_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let text = CARD.replace("[sv]", "colour = \"red\"\n[sv]");
        std::fs::write(dir.path().join("kela-kuntoutus.toml"), text).unwrap();
        let err = Catalogue::load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("kela-kuntoutus.toml:14:"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn validate_finds_every_problem() {
        let mut a = card("a");
        a.related = vec!["a".into(), "missing".into()];
        a.fi.offers = None;
        a.sv.keywords.clear();
        a.en.summary = " ".into();
        let catalogue = Catalogue {
            cards: vec![a, card("b"), card("b")],
        };
        let problems = catalogue.validate();
        assert_eq!(
            problems,
            [
                "b: duplicate id",
                "a: fi.offers is missing or empty",
                "a: sv.keywords is empty",
                "a: en.summary is empty",
                "a: relates to itself",
                "a: related card 'missing' does not exist",
            ]
        );
    }

    #[test]
    fn text_falls_back_to_finnish() {
        let card = card("a");
        assert_eq!(card.text(Lang::Fi).1, Lang::Fi);
        assert_eq!(card.text(Lang::En).1, Lang::Fi);
        assert_eq!(card.field(Lang::En, Field::Offers), ("Courses.", Lang::En));
        assert_eq!(card.field(Lang::En, Field::Access), ("Hakemus.", Lang::Fi));
        assert_eq!(
            card.field(Lang::Sv, Field::Name),
            ("FPA:s rehabilitering", Lang::Sv)
        );
    }

    #[test]
    fn find_by_name_or_id_ignores_case_umlauts_and_qualifiers() {
        let catalogue = Catalogue::shipped();
        let find = |q: &str, lang| catalogue.find_by_name_or_id(q, lang).map(|c| c.id.as_str());
        assert_eq!(
            find("TYOKYKYKOORDINAATTORI", Lang::Fi),
            Some("tyokykykoordinaattori")
        );
        assert_eq!(
            find("työkykykoordinaattori", Lang::Fi),
            Some("tyokykykoordinaattori")
        );
        assert_eq!(
            find("Work ability coordinator", Lang::En),
            Some("tyokykykoordinaattori")
        );
        assert_eq!(
            find("arbetsformagekoordinator", Lang::Sv),
            Some("tyokykykoordinaattori")
        );
        assert_eq!(find("typ", Lang::En), Some("typ"));
        assert_eq!(find("pizza", Lang::Fi), None);
        assert_eq!(find("", Lang::Fi), None);
    }
}
