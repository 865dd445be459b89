use clap::{Parser, Subcommand};
use kaveri::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kaveri", version, about = "Matrix bot for work-ability support networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    },
    /// Run the bot on Matrix.
    Run {
        #[arg(long, default_value = "config/kaveri.toml")]
        config: PathBuf,
    },
    /// Check a configuration file and print every problem with its key and line.
    CheckConfig {
        #[arg(long, default_value = "config/kaveri.toml")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,matrix_sdk=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Chat { data, sender, room } => {
            kaveri::console::run(kaveri::console::ConsoleOptions { data_dir: &data, sender, room })
        }
        Command::CheckConfig { config } => match Config::load(&config) {
            Ok(_) => {
                println!("{}: ok", config.display());
                Ok(())
            }
            Err(errors) => {
                eprintln!("{errors}");
                return ExitCode::from(2);
            }
        },
        Command::Run { config } => run(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kaveri: {e:#}");
            ExitCode::FAILURE
        }
    }
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
