//! Generates the `i18n` module from `locales/*.json` (leptos_i18n), and makes cargo rebuild when a
//! migration changes, since `sqlx::migrate!` embeds them.

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
    Ok(())
}
