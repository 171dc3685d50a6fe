//! Command line and configuration. Every setting comes from a flag or its environment variable.

use anyhow::{Context, bail};
use app::domain::Role;
use app::server::auth::hash_password;
use app::server::clock::Clock;
use app::server::db::{self, DataState, Db, NewUser, SetupStart};
use app::server::demo;
use app::server::state::{AppState, AuthSettings};
use clap::{Parser, Subcommand};
use std::io::Write;
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

    /// The folder evidence files (photos, documents) are kept in, made if missing. Back it up
    /// with the database: `athar backup` copies the database only.
    #[arg(
        long,
        env = "ATHAR_FILES_DIR",
        default_value = "athar-files",
        global = true
    )]
    pub files_dir: std::path::PathBuf,

    /// Keep evidence files in an S3-compatible store instead (`s3://bucket/prefix`), with the
    /// usual `AWS_*` environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`): for several instances of Athar.
    #[arg(long, env = "ATHAR_FILES_URL", global = true)]
    pub files_url: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Where evidence files are kept.
    pub fn file_store(&self) -> anyhow::Result<crate::files::FileStore> {
        match &self.files_url {
            Some(url) => crate::files::FileStore::s3(url)
                .with_context(|| format!("cannot use the file store {url}")),
            None => crate::files::FileStore::folder(&self.files_dir).with_context(|| {
                format!("cannot use the files folder {}", self.files_dir.display())
            }),
        }
    }
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
    /// The demo data: remove it before a real programme starts.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Print a new setup link for the first team account (the earlier one stops working).
    /// Refused once an account exists.
    SetupLink {
        /// The address people open Athar at.
        #[arg(
            long,
            env = "ATHAR_PUBLIC_URL",
            default_value = "http://127.0.0.1:3000"
        )]
        public_url: String,
    },
    /// Copy the SQLite database to a new file, consistently, while a server may be running.
    Backup {
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup (checked first; the replaced file is kept aside).
    /// Refused while a server uses the database.
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Evidence files.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the read-only tokens of BI tools (the JSON endpoints under `/bi/v1`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// Remove every demo row (accounts, sessions, organisations, places, value chains, projects
    /// and all their records, devices) and everything created while the demo was loaded; real
    /// data stays. Safe while a server runs: demo sessions end at once.
    Purge,
}

#[derive(Subcommand, Debug)]
pub enum FilesCommand {
    /// Remove the files no entry has named for 30 days (the server also does it daily).
    Gc,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a token and print it, once: only its hash is kept.
    Create {
        /// What uses it ("Power BI, M&E officer"); unique.
        #[arg(long)]
        name: String,
    },
    /// Revoke the token of this name: calls with it are refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
    /// List the tokens: name, when made, when last used, whether revoked.
    List,
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

    /// Send the session cookie without `Secure` (and without its `__Host-` name), so that it
    /// travels over plain HTTP: for development on another machine's address only. By default
    /// it is `Secure`, which browsers also accept from `http://localhost` and `127.0.0.1`.
    #[arg(
        long,
        env = "ATHAR_INSECURE_COOKIES",
        default_value_t = false,
        conflicts_with = "tls_cert"
    )]
    pub insecure_cookies: bool,

    /// Accepted for older configurations: cookies are `Secure` by default.
    #[arg(
        long,
        env = "ATHAR_SECURE_COOKIES",
        default_value_t = false,
        hide = true,
        conflicts_with = "insecure_cookies"
    )]
    pub secure_cookies: bool,

    /// Take the client address from the `X-Forwarded-For` header (only behind a trusted proxy):
    /// the address the proxy appended, never what the client wrote before it.
    #[arg(long, env = "ATHAR_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,

    /// With `--trust-proxy`: how many trusted proxies stand in front of Athar, each appending an
    /// address to `X-Forwarded-For` (the client's is this many from the right).
    #[arg(long, env = "ATHAR_PROXY_HOPS", default_value_t = 1)]
    pub proxy_hops: usize,

    /// Load the demo data into an empty database at start-up: for a trial or a training, never
    /// for a real programme (its accounts share a published password).
    #[arg(long, env = "ATHAR_DEMO", default_value_t = false)]
    pub demo: bool,

    /// The address people open Athar at (`https://athar.example.tn`), for the links Athar prints.
    /// Defaults to the address it listens on.
    #[arg(long, env = "ATHAR_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM). Needs --tls-key. Turns on secure cookies.
    /// (Behind a TLS reverse proxy, leave it out and use --trust-proxy.)
    #[arg(long, env = "ATHAR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "ATHAR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,

    /// Directory of the built site (`cargo leptos build` writes `target/site`).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            bind: ([127, 0, 0, 1], 3000).into(),
            insecure_cookies: false,
            secure_cookies: false,
            trust_proxy: false,
            proxy_hops: 1,
            demo: false,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            site_root: "target/site".into(),
        }
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Connects and migrates; every failure names what went wrong and nothing is half-applied
/// (each migration runs in its own transaction).
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = db::connect(url).await.context("cannot open the database")?;
    app::server::prepare(&*db)
        .await
        .context("cannot migrate the database")?;
    Ok(db)
}

/// The demo set of `seed` for today, its accounts under the demo password.
async fn demo_set(seed: u64) -> anyhow::Result<demo::DemoSet> {
    let hash = hash_password(demo::DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    Ok(demo::generate(seed, Clock::system().today(), hash))
}

pub async fn load_demo(db: &Db, seed: u64) -> anyhow::Result<()> {
    let set = demo_set(seed).await?;
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

/// What an empty database gets at start-up: the demo with `--demo`, otherwise a one-time setup
/// link for the first team account, printed to standard error (each once, however many instances
/// start together). A database
/// that holds real data never gets the demo.
async fn first_start(db: &Db, demo: bool, public_url: &str) -> anyhow::Result<()> {
    let state = db.data_state().await?;
    match (demo, state) {
        (true, DataState::Empty) => {
            let set = demo_set(demo::DEFAULT_SEED).await?;
            if db
                .start_demo(&set)
                .await
                .context("cannot load the demo data")?
            {
                tracing::info!(
                    projects = set.projects.len(),
                    members = set.members.len(),
                    "empty database: demo data loaded"
                );
            }
        }
        (true, DataState::HasRealData) => {
            tracing::warn!("this database holds real data: the demo is not loaded");
        }
        (false, DataState::Empty) => {
            let code = app::server::auth::new_link_code();
            match db
                .start_setup(&app::server::auth::hash_token(&code))
                .await?
            {
                SetupStart::Created => print_setup_link(public_url, &code),
                SetupStart::Waiting(since) => tracing::warn!(
                    "no account yet: the setup link printed at {since} still works, once; \
                     `athar setup-link` prints a new one, or create the first team account \
                     with `athar user add --role team --email … --name …`"
                ),
                SetupStart::NotNeeded => {}
            }
        }
        (false, DataState::DemoOnly) => {
            tracing::warn!(
                "this database holds demo data, and whatever is created in it is demo data too: \
                 `athar demo purge` empties it for a real programme"
            );
        }
        _ => {}
    }
    Ok(())
}

pub async fn run(mut cli: Cli) -> anyhow::Result<()> {
    init_tracing(&cli.log);
    // Where the files are, in words, for commands that only mention it.
    let files_place = cli
        .files_url
        .clone()
        .unwrap_or_else(|| cli.files_dir.display().to_string());
    match cli
        .command
        .take()
        .unwrap_or(Command::Serve(ServeArgs::default()))
    {
        Command::Serve(args) => serve(&cli.database_url, cli.file_store()?, args).await,
        Command::Files {
            command: FilesCommand::Gc,
        } => {
            let files = cli.file_store()?;
            let db = open_database(&cli.database_url).await?;
            let gone = crate::files::sweep(&db, &files)
                .await
                .map_err(|e| anyhow::anyhow!("cannot sweep the files: {e}"))?;
            tracing::info!(removed = gone, place = %files.place, "files no entry names removed");
            Ok(())
        }
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
        Command::Demo {
            command: DemoCommand::Purge,
        } => {
            let db = open_database(&cli.database_url).await?;
            let removed = db
                .purge_demo()
                .await
                .context("cannot remove the demo data")?;
            let mut out = std::io::stdout().lock();
            let total: u64 = removed.iter().map(|(_, n)| n).sum();
            for (table, n) in removed.iter().filter(|(_, n)| *n > 0) {
                writeln!(out, "{table}\t{n}")?;
            }
            if total == 0 {
                tracing::info!("no demo data in this database: nothing removed");
            } else {
                tracing::info!(rows = total, "demo data removed; real data kept");
            }
            Ok(())
        }
        Command::SetupLink { public_url } => {
            let db = open_database(&cli.database_url).await?;
            let code = app::server::auth::new_link_code();
            if !db
                .replace_setup(&app::server::auth::hash_token(&code))
                .await?
            {
                bail!(
                    "this database has accounts already: the team makes sign-in codes for \
                     people on its People page, or use `athar user add`"
                );
            }
            print_setup_link(&public_url, &code);
            Ok(())
        }
        Command::Backup { to } => {
            crate::backup::backup(&cli.database_url, &to).await?;
            tracing::warn!(
                files = %files_place,
                "evidence files are not in this backup: back their place up separately"
            );
            Ok(())
        }
        Command::Restore { from } => crate::backup::restore(&cli.database_url, &from).await,
        Command::Token { command } => token(&cli.database_url, command).await,
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
            let (name, email) = app::domain::user::check_person(&name, &email).map_err(|e| {
                anyhow::anyhow!(
                    "the {} is not right ({})",
                    e.field,
                    e.code.replace('_', " ")
                )
            })?;
            app::domain::user::check_new_password(&password, &email).map_err(|e| {
                anyhow::anyhow!(
                    "the password is refused ({}): at least {} characters, not a common one, \
                     not the email address",
                    e.code.replace('_', " "),
                    app::domain::user::MIN_PASSWORD_CHARS
                )
            })?;
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
            if db.data_state().await? == DataState::DemoOnly {
                tracing::warn!(
                    "this database holds demo data: this account is demo data too, and goes \
                     with `athar demo purge`"
                );
            }
            Ok(())
        }
    }
}

async fn token(database_url: &str, command: TokenCommand) -> anyhow::Result<()> {
    let db = open_database(database_url).await?;
    let mut out = std::io::stdout().lock();
    match command {
        TokenCommand::Create { name } => {
            let name = name.trim().to_owned();
            if name.is_empty() {
                bail!("a token needs a name");
            }
            let token = app::server::auth::new_api_token();
            db.create_api_token(uuid_v4(), &name, &app::server::auth::hash_token(&token))
                .await
                .map_err(|e| match e {
                    db::DbError::AlreadyExists(_) => {
                        anyhow::anyhow!("a token named {name:?} exists already")
                    }
                    other => anyhow::Error::new(other),
                })?;
            writeln!(out, "{token}")?;
            tracing::info!(%name, "token created: it is printed once, keep it now");
        }
        TokenCommand::Revoke { name } => {
            if !db.revoke_api_token(&name).await? {
                bail!("no valid token named {name:?}");
            }
            tracing::info!(%name, "token revoked");
        }
        TokenCommand::List => {
            for t in db.api_tokens().await? {
                writeln!(
                    out,
                    "{}\tcreated {}\tlast used {}\t{}",
                    t.name,
                    t.created_at,
                    t.last_used_at.as_deref().unwrap_or("never"),
                    if t.revoked { "revoked" } else { "valid" }
                )?;
            }
        }
    }
    Ok(())
}

/// The setup link, for the operator: on standard error, apart from the log lines.
fn print_setup_link(public_url: &str, code: &str) {
    let base = public_url.trim_end_matches('/');
    eprintln!(
        "\nAthar has no account yet. Open this link to create the first team account \
         (it works once):\n\n    {base}/setup?token={code}\n\n\
         (Or from a shell: athar user add --role team --email … --name …)\n"
    );
}

fn uuid_v4() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

async fn serve(
    database_url: &str,
    files: crate::files::FileStore,
    args: ServeArgs,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // `athar restore` waits for this to go.
    let _serving = crate::backup::hold_while_serving(database_url)?;
    let db = open_database(database_url).await?;
    let public_url = args.public_url.clone().unwrap_or_else(|| {
        let scheme = if args.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", args.bind)
    });
    first_start(&db, args.demo, &public_url).await?;
    let leptos_options = leptos_options(&args);
    let state = AppState {
        leptos_options,
        db,
        auth: Arc::new(AuthSettings {
            secure_cookies: !args.insecure_cookies,
            ..AuthSettings::default()
        }),
        clock: Clock::system(),
    };
    // Files no entry names any more go after 30 days: looked for once a day.
    tokio::spawn({
        let (db, files) = (state.db.clone(), files.clone());
        async move {
            let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
            loop {
                daily.tick().await;
                match crate::files::sweep(&db, &files).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "files no entry names removed"),
                    Err(e) => tracing::warn!(error = %e, "the daily sweep of files failed"),
                }
            }
        }
    });
    tracing::info!(place = %files.place, "evidence files");
    let options = crate::routes::RouterOptions {
        proxy_hops: if args.trust_proxy { args.proxy_hops } else { 0 },
        hsts: args.tls_cert.is_some(),
        limits: crate::limits::Limits::default(),
        files,
    };
    let app = crate::router(state, options).into_make_service_with_connect_info::<SocketAddr>();
    let listener = listen(args.bind)
        .and_then(|l| l.into_std())
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    // Stops taking connections on SIGTERM or Ctrl-C, and gives those open 10 s to finish.
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown_signal().await;
            handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        }
    });
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        // One crypto provider for the whole process (ring: no CMake or NASM to build).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
            .await
            .with_context(|| {
                format!(
                    "cannot load the TLS certificate {} and key {}",
                    cert.display(),
                    key.display()
                )
            })?;
        let mut server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle);
        cut_slow_clients(server.http_builder());
        listening("https", &args, started);
        server
            .serve(app)
            .await
            .with_context(|| format!("cannot serve HTTPS on {}", args.bind))?;
    } else {
        let mut server = axum_server::from_tcp(listener)?.handle(handle);
        cut_slow_clients(server.http_builder());
        listening("http", &args, started);
        server.serve(app).await.context("server error")?;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Connections waiting to be accepted, at most (the kernel may cap it lower, at
/// `net.core.somaxconn`). Tokio's default, 1024, is soon full when many phones come back on the
/// network at once: a connection that finds it full is dropped and its client waits a second
/// before trying again.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// A connection that has not sent a whole request head within
/// [`crate::limits::HEADER_READ_TIMEOUT`] (a slow-loris client, or a kept-alive one gone quiet)
/// is closed.
fn cut_slow_clients(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
) {
    builder
        .http1()
        .header_read_timeout(crate::limits::HEADER_READ_TIMEOUT);
}

fn listening(scheme: &str, args: &ServeArgs, started: std::time::Instant) {
    tracing::info!(
        addr = %args.bind,
        ready_ms = started.elapsed().as_millis() as u64,
        "Athar is listening on {scheme}://{}",
        args.bind
    );
}

/// Leptos settings for this process. Built here rather than read from cargo-leptos's environment,
/// because the normal way to run is `target/release/athar` on its own.
fn leptos_options(args: &ServeArgs) -> leptos::config::LeptosOptions {
    let mut options = leptos::config::LeptosOptions::builder()
        .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("athar"))
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(args.bind)
        .env(leptos::config::Env::PROD)
        .build();
    // Built by cargo-leptos with `hash-files`: this build's JS, WASM and CSS have hashed names.
    options.hash_files = app::server::assets::hashed_build(&options);
    options
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

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_args(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli = Cli::try_parse_from(["athar", "serve"].iter().chain(args))?;
        match cli.command {
            Some(Command::Serve(serve)) => Ok(serve),
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn cookies_are_secure_unless_plain_http_is_asked_for_by_name() {
        assert!(!serve_args(&[]).expect("parsed").insecure_cookies);
        assert!(
            !ServeArgs::default().insecure_cookies,
            "`athar` alone serves"
        );
        assert!(
            serve_args(&["--insecure-cookies"])
                .expect("parsed")
                .insecure_cookies
        );
        // Older configurations still start.
        assert!(serve_args(&["--secure-cookies"]).is_ok());
        // Serving TLS with cookies that travel in clear makes no sense: refused at start.
        assert!(
            serve_args(&[
                "--insecure-cookies",
                "--tls-cert",
                "a.pem",
                "--tls-key",
                "b.pem"
            ])
            .is_err()
        );
    }
}
