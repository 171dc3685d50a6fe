//! Command line and configuration. Every setting comes from a flag or its environment variable.

use anyhow::{Context, bail};
use app::domain::Role;
use app::server::auth::hash_password;
use app::server::db::{self, DataState, Db, NewUser};
use app::server::demo;
use app::server::state::{AppState, AuthSettings};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "athar",
    version,
    about = "Athar: offline-first follow-up of SSE micro-projects"
)]
pub struct Cli {
    /// Database to use: `sqlite://athar.db` (embedded, created if missing) or
    /// `postgres://user:password@host/dbname`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://athar.db",
        global = true
    )]
    pub database_url: String,

    /// Log filter, e.g. `info`, `debug`, `athar=debug,sqlx=warn`.
    #[arg(long, env = "ATHAR_LOG", default_value = "info", global = true)]
    pub log: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve Athar (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data set (refuses on a database that holds real data unless --force).
    DemoData {
        /// Replace real data too. Everything in the database is lost.
        #[arg(long)]
        force: bool,
        /// Seed of the generator: the same seed on the same day gives the same data.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. The password is read from ATHAR_PASSWORD or asked for, never from a flag.
    Add {
        /// facilitator, supervisor, team or viewer.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ATHAR_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Mark cookies `Secure`. Turn on whenever Athar is reached over HTTPS (it must be, in
    /// production: service workers need a secure context).
    #[arg(long, env = "ATHAR_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// Take the client address from the `X-Forwarded-For` header (only behind a trusted proxy).
    #[arg(long, env = "ATHAR_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,

    /// Do not load the demo data into an empty database at start-up.
    #[arg(long, env = "ATHAR_NO_DEMO", default_value_t = false)]
    pub no_demo: bool,

    /// Directory of the built site (`cargo leptos build` writes `target/site`).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            bind: ([127, 0, 0, 1], 3000).into(),
            secure_cookies: false,
            trust_proxy: false,
            no_demo: false,
            site_root: "target/site".into(),
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Connects and migrates; every failure names what went wrong and nothing is half-applied
/// (each migration runs in its own transaction).
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = db::connect(url).await.context("cannot open the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

pub async fn load_demo(db: &Db, seed: u64) -> anyhow::Result<()> {
    let hash = hash_password(demo::DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let set = demo::generate(seed, demo::today_in_tunis(), hash);
    db.load_demo(&set)
        .await
        .context("cannot load the demo data")?;
    tracing::info!(
        projects = set.projects.len(),
        members = set.members.len(),
        visits = set.visits.len(),
        "demo data loaded"
    );
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing(&cli.log);
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(&cli.database_url, args).await,
        Command::Migrate => {
            open_database(&cli.database_url).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::DemoData { force, seed } => {
            let db = open_database(&cli.database_url).await?;
            let state = db.data_state().await?;
            if state == DataState::HasRealData && !force {
                bail!(
                    "this database holds data that is not demo data; loading the demo would \
                     replace it. Use another DATABASE_URL, or pass --force to erase it."
                );
            }
            load_demo(&db, seed).await
        }
        Command::User {
            command: UserCommand::Add { role, email, name },
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role {role:?}: use facilitator, supervisor, team or viewer")
            })?;
            let password = match std::env::var("ATHAR_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password(format!("Password for {email}: ")).context(
                    "cannot read the password (set ATHAR_PASSWORD when not on a terminal)",
                )?,
            };
            if password.chars().count() < 10 {
                bail!("the password must have at least 10 characters");
            }
            if !email.contains('@') {
                bail!("{email:?} is not an email address");
            }
            let db = open_database(&cli.database_url).await?;
            let hash = hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = NewUser {
                id: uuid_v4(),
                email: email.clone(),
                name,
                role,
                password_hash: hash,
                organisation_id: None,
                is_demo: false,
            };
            db.insert_user(&user).await.map_err(|e| match e {
                db::DbError::AlreadyExists(_) => {
                    anyhow::anyhow!("a user with email {email} already exists")
                }
                other => anyhow::Error::new(other),
            })?;
            tracing::info!(%email, role = role.as_str(), "user added");
            Ok(())
        }
    }
}

fn uuid_v4() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let db = open_database(database_url).await?;
    if !args.no_demo && db.data_state().await? == DataState::Empty {
        tracing::info!("empty database: loading the demo data");
        load_demo(&db, demo::DEFAULT_SEED).await?;
    }
    let mut leptos_options = leptos::config::get_configuration(None)
        .context("cannot read the Leptos configuration")?
        .leptos_options;
    leptos_options.site_root = args.site_root.clone().into();
    leptos_options.site_addr = args.bind;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "athar".into();
    }
    // Built by cargo-leptos with `hash-files`: use the hashed names whether or not the
    // environment says so (running `target/release/athar` directly is the normal case).
    leptos_options.hash_files = app::server::assets::hashed_build(&leptos_options);
    let state = AppState {
        leptos_options,
        db,
        auth: Arc::new(AuthSettings {
            secure_cookies: args.secure_cookies,
            ..AuthSettings::default()
        }),
    };
    let app = crate::router(
        state,
        crate::routes::RouterOptions {
            trust_proxy: args.trust_proxy,
        },
    );
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(
        addr = %args.bind,
        ready_ms = started.elapsed().as_millis() as u64,
        "Athar is listening on http://{}",
        args.bind
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
