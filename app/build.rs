//! Generates the `i18n` module from `locales/*.json` (leptos_i18n), makes cargo rebuild when a
//! migration changes (since `sqlx::migrate!` embeds them), and trims the small scripts the pages
//! carry, inline or loaded on demand (comments and indentation cost bytes over 2G).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=migrations");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let cfg = Config::new("fr")?
        .add_locale("ar")?
        .add_locale("en")?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out_dir.join("i18n"))?;

    for script in ["platform.js", "service_worker_client.js", "files.js"] {
        let source = PathBuf::from("src/ui").join(script);
        println!("cargo::rerun-if-changed={}", source.display());
        let trimmed = trim_script(&std::fs::read_to_string(&source)?);
        if script == "files.js" {
            // Loaded on demand from an address that changes with its content, so a phone never
            // runs one build's pages with another build's script (`ui::evidence`).
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            trimmed.hash(&mut hasher);
            println!(
                "cargo::rustc-env=ATHAR_FILES_SCRIPT=/scripts/files.{:016x}.js",
                hasher.finish()
            );
        }
        std::fs::write(out_dir.join(script), trimmed)?;
    }
    Ok(())
}

/// Drops comment-only lines and indentation. The scripts are written for this: no multi-line
/// strings or template literals, comments only on lines of their own.
fn trim_script(source: &str) -> String {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}
