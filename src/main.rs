use std::process::ExitCode;

use clap::{Parser, Subcommand};
use toasoan::{config::Config, server};
use tracing_subscriber::EnvFilter;

/// Tòa Soạn, a news CMS. Configuration comes from environment variables (see README).
#[derive(Parser)]
#[command(name = "toasoan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Create the database if needed and apply migrations, then exit.
    Migrate,
    /// Add generated published articles (benchmark data) to the demo categories.
    Generate {
        /// How many articles to add.
        #[arg(long)]
        articles: usize,
        /// Seed of the generator: the same seed gives the same articles.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await,
        Command::Migrate => server::migrate(&config).await.map(drop),
        Command::Generate { articles, seed } => generate(&config, articles, seed).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn generate(config: &Config, articles: usize, seed: u64) -> anyhow::Result<()> {
    let db = server::migrate(config).await?;
    let added = toasoan::demo::generate::generate(&db, articles, seed).await?;
    println!("added {added} articles");
    Ok(())
}
