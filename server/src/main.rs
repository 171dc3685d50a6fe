//! `athar`: serve the app, migrate the database, load demo data, add users. See `athar --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    few_allocator_arenas();
    let cli = server::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("athar: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole chain: "cannot open the database: …: …".
            eprintln!("athar: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// glibc gives a thread that meets another in the allocator an arena of its own, up to eight per
/// core, and each arena keeps what it once held. On an eight-core machine a burst of two thousand
/// sign-ins (a connection each, spread over eight runtime threads) left the server at 192 MB, 90
/// MB with two arenas; on two cores both are 90 MB. Two arenas, unless the operator chose a number
/// (`MALLOC_ARENA_MAX`, which glibc reads itself).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn few_allocator_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // SAFETY: `mallopt` only sets a limit that glibc reads when a thread next needs an arena; it
    // runs first thing in `main`, before this process has any other thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn few_allocator_arenas() {}
