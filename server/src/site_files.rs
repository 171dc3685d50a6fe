//! The built front end (`target/site`), read into memory when the server starts.
//!
//! A server serves the files of the build it started with until it is restarted. A deploy that
//! copies a new build over `target/site` before restarting would otherwise hand phones files of
//! two builds, or a 404 for a name this build's service worker precaches, and a worker whose
//! install fails leaves a new phone without offline use. The service worker, the offline shell
//! and the pages already name this build's files (`app::server::assets`, read once); this makes
//! the files themselves hold still too. About 4 MB, for a server that idles near 20 MB.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One file: its bytes and content type.
struct File {
    bytes: axum::body::Bytes,
    content_type: HeaderValue,
}

/// Every file under the site root, by URL path (`/pkg/athar.<hash>.wasm`, `/icons/icon-192.png`).
#[derive(Clone, Default)]
pub struct SiteFiles {
    files: Arc<HashMap<String, File>>,
    pkg_prefix: Arc<str>,
}

impl SiteFiles {
    /// Reads every file under `root`. A missing root (a server built without its front end, as
    /// in the HTTP tests) holds nothing.
    pub fn load(root: &Path, pkg_dir: &str) -> std::io::Result<SiteFiles> {
        let mut files = HashMap::new();
        if root.is_dir() {
            read_dir(root, root, &mut files)?;
        }
        Ok(SiteFiles {
            files: Arc::new(files),
            pkg_prefix: format!("/{pkg_dir}/").into(),
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn response(&self, path: &str) -> Option<Response> {
        let file = self.files.get(path)?;
        // Hashed names never change content: cache them for a year. The rest (the manifest,
        // icons) may change with a build under the same name.
        let cache = if path.starts_with(&*self.pkg_prefix) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        Some(
            (
                [
                    (CONTENT_TYPE, file.content_type.clone()),
                    (CACHE_CONTROL, HeaderValue::from_static(cache)),
                ],
                file.bytes.clone(),
            )
                .into_response(),
        )
    }
}

fn read_dir(root: &Path, dir: &Path, files: &mut HashMap<String, File>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir(root, &path, files)?;
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        let mime = mime_guess::from_path(&path).first_or_octet_stream();
        let content_type = HeaderValue::from_str(mime.as_ref())
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        files.insert(
            url,
            File {
                bytes: std::fs::read(&path)?.into(),
                content_type,
            },
        );
    }
    Ok(())
}

/// Answers GET and HEAD requests for a file of the build from memory; everything else goes on.
pub async fn serve(State(site): State<SiteFiles>, req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(response) = site.response(req.uri().path())
    {
        return response;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_once_and_a_build_copied_over_them_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg");
        std::fs::write(dir.path().join("pkg/athar.abc.wasm"), b"old build").expect("wasm");
        std::fs::write(dir.path().join("manifest.webmanifest"), b"{}").expect("manifest");
        let site = SiteFiles::load(dir.path(), "pkg").expect("loaded");
        assert_eq!(site.len(), 2);

        // The next build replaces the files under the running server.
        std::fs::remove_file(dir.path().join("pkg/athar.abc.wasm")).expect("removed");
        std::fs::write(dir.path().join("pkg/athar.def.wasm"), b"new build").expect("wasm");

        let response = site.response("/pkg/athar.abc.wasm").expect("still served");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/wasm");
        assert!(
            response.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap_or_default()
                .contains("immutable")
        );
        assert!(site.response("/pkg/athar.def.wasm").is_none());
        assert_eq!(
            site.response("/manifest.webmanifest")
                .expect("served")
                .headers()[CACHE_CONTROL],
            "no-cache"
        );
    }
}
