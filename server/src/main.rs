//! `athar`: serve the app, migrate the database, load demo data, add users. See `athar --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
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
