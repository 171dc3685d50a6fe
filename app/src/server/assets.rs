//! The built front end (`target/site`) and the service worker that caches it.
//!
//! cargo-leptos builds with `hash-files`, so each build's JS, WASM and CSS have names of their own
//! (`athar.<hash>.wasm`) listed in `hash.txt` beside the server binary. The service worker is
//! served from here with that list and a build id baked in: a new build is a new worker with a
//! new cache, and an old worker can never hand a new page stale WASM (the names differ).

use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// What the service worker must cache for the app to open offline.
#[derive(Clone, Debug)]
pub struct SiteAssets {
    /// Changes whenever any cached file changes.
    pub build_id: String,
    /// URLs to cache at install, besides the offline shell.
    pub precache: Vec<String>,
    /// This build's stylesheet, written into every page's head: a page is drawn as soon as its
    /// HTML is here, without a request for its style first (on oasis 3G, a round trip of
    /// 400 ms at least). `None` when the file cannot be read: pages then link it.
    pub css: Option<String>,
    /// Where the stylesheet is served.
    pub css_url: String,
}

/// The evidence script (`ui/files.js`, trimmed), served at [`crate::ui::FILES_SCRIPT_URL`].
pub const FILES_SCRIPT: &str = include_str!(concat!(env!("OUT_DIR"), "/files.js"));

static ASSETS: std::sync::OnceLock<SiteAssets> = std::sync::OnceLock::new();

/// This process's assets, read once (the files do not change under a running server).
pub fn site_assets(options: &LeptosOptions) -> &'static SiteAssets {
    ASSETS.get_or_init(|| SiteAssets::from_options(options))
}

/// Reads `hash.txt` (written by cargo-leptos beside the binary) if the build hashed its files.
fn read_hashes(options: &LeptosOptions) -> Option<Vec<(String, String)>> {
    let path = std::env::current_exe()
        .ok()?
        .parent()?
        .join(options.hash_file.as_ref());
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect(),
    )
}

/// Whether this binary was built by cargo-leptos with hashed file names.
pub fn hashed_build(options: &LeptosOptions) -> bool {
    read_hashes(options).is_some()
}

impl SiteAssets {
    pub fn from_options(options: &LeptosOptions) -> SiteAssets {
        let name = options.output_name.to_string();
        let pkg = options.site_pkg_dir.to_string();
        let hashes = read_hashes(options).unwrap_or_default();
        let hash = |kind: &str| {
            hashes
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, v)| format!(".{v}"))
        };
        let (js, wasm, css) = match (hash("js"), hash("wasm"), hash("css")) {
            (Some(j), Some(w), Some(c)) => (
                format!("{name}{j}.js"),
                format!("{name}{w}.wasm"),
                format!("{name}{c}.css"),
            ),
            _ => (
                format!("{name}.js"),
                format!("{name}_bg.wasm"),
                format!("{name}.css"),
            ),
        };
        let css_url = format!("/{pkg}/{css}");
        let css = std::fs::read_to_string(
            PathBuf::from(options.site_root.as_ref()).join(css_url.trim_start_matches('/')),
        )
        .ok();
        let mut precache: Vec<String> = [js, wasm].iter().map(|f| format!("/{pkg}/{f}")).collect();
        // Pages carry their style; it is cached only if they link it.
        if css.is_none() {
            precache.push(css_url.clone());
        }
        // With `--split`, pages and the sync engine are chunks of their own (`split_*.wasm`, the
        // code they share in `chunk_*.wasm`, fetched by `__wasm_split*.js` through its
        // manifest): they must all be on the phone before it goes offline.
        let pkg_dir = PathBuf::from(options.site_root.as_ref()).join(&pkg);
        if let Ok(entries) = std::fs::read_dir(&pkg_dir) {
            let mut chunks: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                // (Not the compressed copies a `--precompress` build leaves beside them: the
                // server sends those in their place.)
                .filter(|f| !f.ends_with(".br") && !f.ends_with(".gz"))
                .filter(|f| {
                    f.starts_with("__wasm_split")
                        || (f.ends_with(".wasm")
                            && (f.starts_with("split_") || f.starts_with("chunk_")))
                })
                .map(|f| format!("/{pkg}/{f}"))
                .collect();
            chunks.sort();
            precache.extend(chunks);
        }
        precache.extend(
            [
                crate::ui::FILES_SCRIPT_URL,
                "/manifest.webmanifest",
                "/icons/icon-192.png",
                "/icons/icon-512.png",
                "/icons/maskable-512.png",
            ]
            .map(String::from),
        );
        // The build id hashes the hashed names (or, without hashing, the files themselves).
        let mut digest = Sha256::new();
        digest.update(env!("CARGO_PKG_VERSION"));
        // A release label the operator may set: a new label is a new version for the phones
        // (a new service worker and cache) even when the files did not change.
        if let Ok(release) = std::env::var("ATHAR_RELEASE") {
            digest.update(release);
        }
        for (k, v) in &hashes {
            digest.update(k);
            digest.update(v);
        }
        // Scripts served from the binary, by names that change with their content.
        digest.update(crate::ui::FILES_SCRIPT_URL);
        if hashes.is_empty() {
            let root = PathBuf::from(options.site_root.as_ref());
            for url in &precache {
                if let Ok(bytes) = std::fs::read(root.join(url.trim_start_matches('/'))) {
                    digest.update(&bytes);
                }
            }
        }
        let build_id = hex::encode(&digest.finalize()[..8]);
        SiteAssets {
            build_id,
            precache,
            css,
            css_url,
        }
    }

    /// The service worker script for this build.
    pub fn service_worker(&self) -> String {
        let list = serde_json::to_string(&self.precache).unwrap_or_else(|_| "[]".into());
        include_str!("sw.js")
            .replace("__BUILD_ID__", &self.build_id)
            .replace("__PRECACHE__", &list)
            .replace(
                "__LAYOUTS__",
                &format!(
                    "[{}, {}]",
                    crate::storage::OLDEST_READABLE_LAYOUT,
                    crate::storage::LAYOUT_VERSION
                ),
            )
    }
}
