use std::{io::IsTerminal, process::ExitCode};

use clap::{Parser, Subcommand};
use toasoan::{
    auth::Role,
    cli,
    config::{Config, LogFormat, MediaStoreKind},
    server,
};
use tracing_subscriber::EnvFilter;

/// mimalloc gives freed memory back to the system (glibc's malloc kept the 19 MiB blocks of
/// password hashing after a login flood).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The media library.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
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

#[derive(Subcommand)]
enum MediaCommand {
    /// List in the library the images already in storage that it does not list yet (uploads
    /// from before the library); `serve` does this at every start too.
    Import,
    /// Copy every stored image and file from the other store into this one (`--to s3`: from
    /// TOASOAN_MEDIA_DIR into the TOASOAN_S3_* bucket; `--to local`: back). Keys already there
    /// with the same size are skipped, so it can be run again. Nothing is deleted.
    Migrate {
        #[arg(long, value_parser = parse_store)]
        to: MediaStoreKind,
    },
}

fn parse_store(value: &str) -> Result<MediaStoreKind, String> {
    match value {
        "s3" => Ok(MediaStoreKind::S3),
        "local" => Ok(MediaStoreKind::Local),
        _ => Err("expected s3 or local".to_owned()),
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// admin, editor, reporter or moderator
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        email: Option<String>,
    },
    /// Set a user's password (read from standard input) and end their sessions.
    SetPassword { username: String },
    /// List the accounts.
    List,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| "expected admin, editor, reporter or moderator".to_owned())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    start_logging(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await,
        Command::Migrate => server::migrate(&config).await.map(drop),
        Command::Generate { articles, seed } => generate(&config, articles, seed).await,
        Command::User { command } => user(&config, command).await,
        Command::Media {
            command: MediaCommand::Import,
        } => import_media(&config).await,
        Command::Media {
            command: MediaCommand::Migrate { to },
        } => migrate_media(&config, to).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard output, filtered by `RUST_LOG`.
fn start_logging(format: LogFormat) {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        // Colours only for a person at a terminal, not in files, pipes or journald.
        .with_ansi(format == LogFormat::Text && std::io::stdout().is_terminal());
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
}

async fn generate(config: &Config, articles: usize, seed: u64) -> anyhow::Result<()> {
    let db = server::migrate(config).await?;
    let added = toasoan::demo::generate::generate(&db, articles, seed).await?;
    println!("added {added} articles");
    Ok(())
}

async fn import_media(config: &Config) -> anyhow::Result<()> {
    let db = server::migrate(config).await?;
    let store = toasoan::media::configured_store(config)?;
    let added = toasoan::media::library::import(&db, &*store).await?;
    println!("registered {added} images in the media library");
    Ok(())
}

async fn migrate_media(config: &Config, to: MediaStoreKind) -> anyhow::Result<()> {
    use toasoan::media::{LocalStore, S3Store, storage::copy_all};

    let s3 = config
        .s3
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("TOASOAN_S3_BUCKET and its keys are needed to migrate"))?;
    let local = LocalStore::new(config.media_dir.clone());
    let bucket = S3Store::new(s3)?;
    let (from, into): (
        &dyn toasoan::media::MediaStore,
        &dyn toasoan::media::MediaStore,
    ) = match to {
        MediaStoreKind::S3 => (&local, &bucket),
        MediaStoreKind::Local => (&bucket, &local),
    };
    let done = copy_all(from, into).await?;
    for key in &done.copied {
        println!("copied {key}");
    }
    println!(
        "{} copied, {} already there",
        done.copied.len(),
        done.skipped
    );
    Ok(())
}

async fn user(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let db = server::migrate(config).await?;
    match command {
        UserCommand::Create {
            username,
            display_name,
            role,
            email,
        } => {
            let password = cli::read_password(std::io::stdin().lock())?;
            cli::create_user(
                &db,
                &username,
                &display_name,
                role,
                email.as_deref(),
                password,
            )
            .await?;
            println!("created {}", username.trim().to_lowercase());
        }
        UserCommand::SetPassword { username } => {
            let password = cli::read_password(std::io::stdin().lock())?;
            cli::set_password(&db, &username, password).await?;
            println!("password set for {username}; their sessions have ended");
        }
        UserCommand::List => print!("{}", cli::list_users(&db).await?),
    }
    Ok(())
}
