use clap::{Parser, Subcommand};
use kaveri::catalogue::phrasing::Phraser;
use kaveri::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kaveri", version, about = "Matrix bot for work-ability support networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Talk to the bot in this terminal, no homeserver needed.
    Chat {
        /// Where the console keeps its state.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Who is speaking.
        #[arg(long = "as", default_value = "@ammattilainen:example.org")]
        sender: String,
        /// Which room the conversation is in.
        #[arg(long, default_value = "!konsoli:example.org")]
        room: String,
        /// Phrase catalogue answers with this config's [answer_model], if it has one.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the bot on Matrix.
    Run {
        #[arg(long, default_value = "config/kaveri.toml")]
        config: PathBuf,
    },
    /// Answer a question from the service catalogue, offline.
    Ask {
        /// Use the catalogue this config names (default: the shipped catalogue).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Language of the question and answer: fi, sv or en (default: guessed, else fi).
        #[arg(long)]
        lang: Option<kaveri::lang::Lang>,
        /// Print the ranking as JSON instead of the answer.
        #[arg(long)]
        json: bool,
        question: String,
    },
    /// Resolve a time expression (fi, sv, en) to a moment in Europe/Helsinki.
    ParseTime {
        /// The moment to resolve against (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        json: bool,
        expression: String,
    },
    /// Find personal identity codes, phone numbers and e-mail addresses in a text.
    PrivacyScan {
        #[arg(long)]
        json: bool,
        text: String,
    },
    /// Export consultation statistics for a period (the bot must be stopped, or use a
    /// copy of its data directory: the database allows one process at a time).
    Export {
        #[arg(long, default_value = "config/kaveri.toml")]
        config: PathBuf,
        /// First day included, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day included, YYYY-MM-DD.
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
    /// Check a configuration file and print every problem with its key and line.
    CheckConfig {
        #[arg(long, default_value = "config/kaveri.toml")]
        config: PathBuf,
    },
}

/// The log level when RUST_LOG is not set. matrix-sdk 0.18 asks its crypto layer for a
/// key backup after every sync whether or not backups are enabled, and the crypto layer
/// answers each time with a warning that no backup key exists. Kaveri enables backups
/// only with `matrix.recovery_passphrase`; without one that warning says nothing, so the
/// backups module logs errors only. Real backup failures are logged by matrix_sdk itself.
/// matrix-sdk's HTTP client logs every failed request as an error; Kaveri logs each
/// outage once when it begins and once when it ends, so those lines are left out.
const DEFAULT_LOG: &str = "info,matrix_sdk=warn,matrix_sdk::http_client=off,matrix_sdk_crypto::backups=error";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_LOG.into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Chat { data, sender, room, config } => chat(&data, sender, room, config.as_deref()),
        Command::CheckConfig { config } => return check_config(&config),
        Command::Ask { config, lang, json, question } => ask(config.as_deref(), lang, json, &question),
        Command::Run { config } => run(&config),
        Command::Export { config, from, to, format } => export(&config, from, to, format),
        Command::ParseTime { now, json, expression } => return parse_time(now.as_deref(), json, &expression),
        Command::PrivacyScan { json, text } => {
            privacy_scan(json, &text);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kaveri: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn chat(data: &std::path::Path, sender: String, room: String, config: Option<&std::path::Path>) -> anyhow::Result<()> {
    let phraser = match config {
        Some(path) => Config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?.answer_model.as_ref().map(Phraser::from_config),
        None => None,
    };
    kaveri::console::run(kaveri::console::ConsoleOptions { data_dir: data, sender, room, phraser })
}

#[cfg(feature = "matrix")]
fn run(path: &std::path::Path) -> anyhow::Result<()> {
    let config = Config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(kaveri::matrix::run(config))
}

#[cfg(not(feature = "matrix"))]
fn run(_path: &std::path::Path) -> anyhow::Result<()> {
    anyhow::bail!("this build has no Matrix support; rebuild with the default 'matrix' feature")
}

fn parse_time(now: Option<&str>, json: bool, expression: &str) -> ExitCode {
    use kaveri::time::{calendar::HELSINKI, expr as time_expr};
    let now = match now {
        None => chrono::Utc::now().with_timezone(&HELSINKI),
        Some(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.with_timezone(&HELSINKI),
            Err(e) => {
                eprintln!("kaveri: --now must be an RFC 3339 moment like 2026-11-23T10:00:00+02:00 ({e})");
                return ExitCode::from(2);
            }
        },
    };
    match time_expr::parse(expression, now) {
        Ok(parsed) => {
            let at = parsed.at.to_rfc3339();
            if json {
                println!("{}", serde_json::json!({ "at": at }));
            } else {
                println!("{at}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.key() }));
            } else {
                eprintln!("kaveri: could not read a time from that ({})", e.key());
            }
            ExitCode::FAILURE
        }
    }
}

fn privacy_scan(json: bool, text: &str) {
    let findings = kaveri::privacy::scan(text);
    if json {
        println!("{}", serde_json::json!({ "findings": findings }));
    } else if findings.is_empty() {
        println!("no findings");
    } else {
        for f in findings {
            println!("{:?} at bytes {}..{}", f.kind, f.start, f.end);
        }
    }
}

/// Validates the config file and the catalogue and regions it names; prints every
/// problem, each with its file, key or line.
fn check_config(path: &std::path::Path) -> ExitCode {
    use kaveri::catalogue::Catalogue;
    use kaveri::config::regions::Regions;
    let config = match Config::load(path) {
        Ok(config) => config,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(2);
        }
    };
    let mut problems = Vec::new();
    println!("{}", config.access_summary());
    match &config.catalogue.dir {
        Some(dir) => match Catalogue::load_dir(dir) {
            Ok(catalogue) => println!("{}: {} service cards", dir.display(), catalogue.cards.len()),
            Err(e) => problems.push(e.to_string()),
        },
        None => println!("catalogue: the {} shipped service cards", Catalogue::shipped().cards.len()),
    }
    if let Some(dir) = &config.catalogue.regions_dir {
        match Regions::load_dir(dir) {
            Ok(regions) => {
                println!(
                    "{}: {} counties, {} municipalities",
                    dir.display(),
                    regions.files.len(),
                    regions.municipality_count()
                );
                // Rooms and teams that name a county must name one the regions know.
                let named = config
                    .rooms
                    .iter()
                    .filter_map(|r| r.county.as_deref().map(|c| (format!("room {}", r.id), c)))
                    .chain(config.teams.iter().filter_map(|t| t.county.as_deref().map(|c| (format!("team {}", t.id), c))));
                for (what, county) in named {
                    if !regions.files.iter().any(|f| f.county.id == county) {
                        problems.push(format!("{}: {what}: county '{county}' is not in {}", path.display(), dir.display()));
                    }
                }
            }
            Err(errors) => problems.extend(errors),
        }
    }
    // Tickets routed to accounts nobody uses are never seen: say so before they are.
    let regions = match &config.catalogue.regions_dir {
        Some(dir) => Regions::load_dir(dir).unwrap_or_default(),
        None => Regions::shipped(),
    };
    for warning in regions.coordinator_warnings(config.bot_server(), |county| config.has_coordinators_room_for(county)) {
        println!("warning: {warning}");
    }
    if let Some(model) = &config.answer_model {
        println!("answer_model: {} at {} (falls back after {} ms)", model.model, model.url, model.timeout_ms);
        if let Some(var) = model.api_key_env.as_deref().filter(|v| std::env::var_os(v).is_none()) {
            println!("answer_model: note: {var} is not set in this environment; set it where the bot runs");
        }
    }
    if problems.is_empty() {
        println!("{}: ok", path.display());
        ExitCode::SUCCESS
    } else {
        for problem in problems {
            eprintln!("{problem}");
        }
        ExitCode::from(2)
    }
}

fn ask(config: Option<&std::path::Path>, lang: Option<kaveri::lang::Lang>, json: bool, question: &str) -> anyhow::Result<()> {
    use kaveri::catalogue::{answer, Catalogue, Index};
    use kaveri::lang::detect_lang;
    let catalogue = match config {
        Some(path) => {
            let config = Config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            match &config.catalogue.dir {
                Some(dir) => Catalogue::load_dir(dir)?,
                None => Catalogue::shipped(),
            }
        }
        None => Catalogue::shipped(),
    };
    let lang = lang.or_else(|| detect_lang(question)).unwrap_or_default();
    let index = Index::build(&catalogue);
    let result = index.search(question, lang);
    if json {
        let answers: Vec<_> =
            result.hits.iter().map(|hit| serde_json::json!({ "id": hit.id, "score": hit.score })).collect();
        println!("{}", serde_json::json!({ "confident": result.confident, "answers": answers }));
    } else {
        let texts = kaveri::lang::Texts::embedded()?;
        println!("{}", answer::answer(&catalogue, &result, question, lang, &texts).plain);
    }
    Ok(())
}

fn export(path: &std::path::Path, from: chrono::NaiveDate, to: chrono::NaiveDate, format: ExportFormat) -> anyhow::Result<()> {
    use kaveri::consult::{stats, ticket::Ticket};
    use kaveri::store::{Store, TreeId};
    let config = Config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(from <= to, "--from must not be after --to");
    let dir = config.bot.data_dir.join("state");
    let store = Store::open(&dir).map_err(|e| {
        anyhow::anyhow!("could not open {} ({e}); if the bot is running, stop it or export from a copy", dir.display())
    })?;
    let tickets: Vec<Ticket> = store.scan::<Ticket>(TreeId::Tickets)?.into_iter().map(|(_, t)| t).collect();
    let start = from.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let end = to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let report = stats::report(&tickets, start, end);
    match format {
        ExportFormat::Csv => print!("{}", stats::to_csv(&report)),
        ExportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}
