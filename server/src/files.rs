//! Evidence files: the photos and documents entries name by their SHA-256, received in pieces
//! over a link that drops (in the manner of tus), checked by their bytes, stored once, and served
//! only to those who may read an entry naming them.
//!
//! - `HEAD /api/files/{sha256}`: how many bytes of the file the server holds (`Upload-Offset`) of
//!   how many (`Upload-Length`), for the user who named it in an entry.
//! - `PATCH /api/files/{sha256}` with `Upload-Offset`: the next piece. A piece that does not
//!   start where the server stands is refused (409, with where it stands). The last piece
//!   makes the file whole: its hash and its kind (JPEG, PNG, WebP, PDF, by their first bytes)
//!   are checked, a thumbnail is made of a picture, and it is kept. A file whose bytes do not
//!   match is refused and sent again from the start.
//! - `GET /api/files/{sha256}` and `GET /api/files/{sha256}/thumbnail`: the file, and its
//!   thumbnail (about 320 px), to those who may read an entry naming it.
//!
//! Where the bytes live ([`FileStore`]): a folder beside the database by default, or any
//! S3-compatible store when Athar runs on several machines. The database says how far each
//! upload is, so any instance takes the next piece. Pieces are kept as objects of their own
//! until the file is whole (`partial/{sha256}/{offset}`), then the file (`files/{sha256}`) and
//! its thumbnail (`thumbnails/{sha256}.jpg`).

use app::domain::evidence::{MAX_FILE_BYTES, Media, is_sha256};
use app::error::AppError;
use app::server::AppState;
use app::server::auth::{RequestAuth, project_scope};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use futures::TryStreamExt;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The largest piece one request carries. The phone sends a few tens of KB at a time over a weak
/// link; more than this is no phone's.
pub const MAX_PIECE_BYTES: usize = 1024 * 1024;
/// How long a file no entry names is kept before the daily sweep removes it.
pub const KEPT_UNNAMED: time::Duration = time::Duration::days(30);
/// The long side of a thumbnail, in pixels.
const THUMBNAIL_PX: u32 = 320;

/// Where the files' bytes are kept.
#[derive(Clone, Debug)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Where, in words, for the log and `athar backup`.
    pub place: String,
}

impl Default for FileStore {
    /// In memory: for tests that do not look at files.
    fn default() -> Self {
        FileStore {
            store: Arc::new(object_store::memory::InMemory::new()),
            place: "memory".into(),
        }
    }
}

impl FileStore {
    /// A folder on this machine, made if missing.
    pub fn folder(dir: &std::path::Path) -> anyhow::Result<FileStore> {
        std::fs::create_dir_all(dir)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(FileStore {
            store: Arc::new(store),
            place: dir.display().to_string(),
        })
    }

    /// An S3-compatible store, `s3://bucket/prefix`, with the credentials, region and endpoint
    /// of the usual `AWS_*` environment variables.
    pub fn s3(url: &str) -> anyhow::Result<FileStore> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| anyhow::anyhow!("--files-url must start with s3://"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        let store: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                s3,
                prefix.trim_matches('/'),
            ))
        };
        Ok(FileStore {
            store,
            place: url.to_owned(),
        })
    }

    /// The bytes of a whole file, if the store has them.
    pub async fn read(&self, sha256: &str) -> Result<Option<bytes::Bytes>, AppError> {
        self.get(&whole(sha256)).await
    }

    async fn get(&self, at: &ObjectPath) -> Result<Option<bytes::Bytes>, AppError> {
        match self.store.get(at).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(unavailable)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn pieces(&self, sha256: &str) -> Result<Vec<ObjectPath>, AppError> {
        let mut found: Vec<ObjectPath> = self
            .store
            .list(Some(&ObjectPath::from(format!("partial/{sha256}"))))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(unavailable)?;
        // Offsets are written with 16 digits: their names sort in their order.
        found.sort();
        Ok(found)
    }

    async fn forget_pieces(&self, sha256: &str) -> Result<(), AppError> {
        for piece in self.pieces(sha256).await? {
            match self.store.delete(&piece).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }

    /// Removes a file, its thumbnail and any piece of it (the sweep).
    pub async fn remove(&self, sha256: &str) -> Result<(), AppError> {
        self.forget_pieces(sha256).await?;
        for at in [whole(sha256), thumbnail(sha256)] {
            match self.store.delete(&at).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }

    /// How many whole files the store holds (for tests and `athar files gc`).
    pub async fn count(&self) -> Result<usize, AppError> {
        let listed: Vec<_> = self
            .store
            .list(Some(&ObjectPath::from("files")))
            .try_collect()
            .await
            .map_err(unavailable)?;
        Ok(listed.len())
    }
}

fn whole(sha256: &str) -> ObjectPath {
    ObjectPath::from(format!("files/{sha256}"))
}

fn thumbnail(sha256: &str) -> ObjectPath {
    ObjectPath::from(format!("thumbnails/{sha256}.jpg"))
}

fn piece(sha256: &str, offset: u64) -> ObjectPath {
    ObjectPath::from(format!("partial/{sha256}/{offset:016}"))
}

fn unavailable(e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "file store");
    AppError::Unavailable
}

/// The routes, on the router's state.
pub fn routes(store: FileStore) -> Router<AppState> {
    Router::new()
        .route(
            "/api/files/{sha256}",
            axum::routing::get(download).head(offset).patch(receive),
        )
        .route(
            "/api/files/{sha256}/thumbnail",
            axum::routing::get(download_thumbnail),
        )
        .layer(Extension(store))
}

/// The routes [`routes`] serves, for the role × scope matrix.
pub const ROUTES: [&str; 2] = ["/api/files/{sha256}", "/api/files/{sha256}/thumbnail"];

fn refused(e: AppError) -> Response {
    crate::routes::app_error(e)
}

fn refusal(code: &str) -> AppError {
    AppError::Invalid {
        field: "file".into(),
        code: code.into(),
    }
}

fn where_it_stands(
    status: StatusCode,
    file: &app::server::db::FileState,
    received: u64,
) -> Response {
    let mut res = status.into_response();
    let h = res.headers_mut();
    h.insert("upload-offset", HeaderValue::from(received));
    h.insert("upload-length", HeaderValue::from(file.bytes));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The file as its sender sees it: the user, and the file if an entry of theirs names it.
/// The caller and their scope, for a well-formed file name; anyone else is refused before any
/// query.
fn caller<'a>(
    auth: &'a RequestAuth,
    sha256: &str,
) -> Result<(&'a app::domain::SessionUser, app::server::db::ProjectScope), AppError> {
    let user = auth.user.as_ref().ok_or(AppError::NotSignedIn)?;
    let scope = project_scope(user)?;
    if !is_sha256(sha256) {
        return Err(AppError::NotFound);
    }
    Ok((user, scope))
}

async fn to_send(
    state: &AppState,
    auth: &RequestAuth,
    sha256: &str,
) -> Result<app::server::db::FileState, AppError> {
    let (user, scope) = caller(auth, sha256)?;
    state
        .db
        .file_to_send(sha256, user.id, scope)
        .await?
        .ok_or(AppError::NotFound)
}

async fn offset(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(sha256): Path<String>,
) -> Response {
    match to_send(&state, &auth, &sha256).await {
        Ok(file) => where_it_stands(StatusCode::OK, &file, file.received),
        Err(e) => refused(e),
    }
}

async fn receive(
    State(state): State<AppState>,
    Extension(store): Extension<FileStore>,
    Extension(auth): Extension<RequestAuth>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let file = match to_send(&state, &auth, &sha256).await {
        Ok(file) => file,
        Err(e) => return refused(e),
    };
    if file.complete {
        // Sent twice, stored once.
        return where_it_stands(StatusCode::NO_CONTENT, &file, file.bytes);
    }
    if file.bytes > MAX_FILE_BYTES {
        return refused(refusal("too_large"));
    }
    let Some(at) = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return refused(refusal("no_offset"));
    };
    if at != file.received {
        return where_it_stands(StatusCode::CONFLICT, &file, file.received);
    }
    let bytes = match axum::body::to_bytes(body, MAX_PIECE_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return refused(AppError::TooLarge),
    };
    let to = at + bytes.len() as u64;
    if to > file.bytes {
        // More than the entry said the file holds.
        return refused(refusal("too_large"));
    }
    if bytes.is_empty() {
        return where_it_stands(StatusCode::NO_CONTENT, &file, at);
    }
    if let Err(e) = store
        .store
        .put(&piece(&sha256, at), PutPayload::from_bytes(bytes))
        .await
    {
        return refused(unavailable(e));
    }
    match state.db.file_received(&sha256, at, to).await {
        Ok(true) => {}
        Ok(false) => {
            // Another request moved it first: say where it stands now.
            return match to_send(&state, &auth, &sha256).await {
                Ok(now) => where_it_stands(StatusCode::CONFLICT, &now, now.received),
                Err(e) => refused(e),
            };
        }
        Err(e) => return refused(e.into()),
    }
    if to < file.bytes {
        return where_it_stands(StatusCode::NO_CONTENT, &file, to);
    }
    match make_whole(&state, &store, &sha256).await {
        Ok(()) => where_it_stands(StatusCode::NO_CONTENT, &file, file.bytes),
        Err(e) => refused(e),
    }
}

/// How many files are made whole at once: each is in memory once while it waits to be checked.
/// A hundred phones finishing together wait their turn rather than hold a hundred files.
static MAKING_WHOLE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// What a file's check found: its kind and, for a picture, its thumbnail; or why it is refused.
type Checked = Result<(Media, Option<Vec<u8>>), &'static str>;
/// A file to check, and where to give its bytes back with what was found.
type Job = (
    String,
    Vec<u8>,
    tokio::sync::oneshot::Sender<(Vec<u8>, Checked)>,
);

/// Files are checked (hashed, and a picture decoded for its thumbnail: about 8 MB for a 1,600 px
/// photo) one at a time on a thread of their own. On the blocking pool, each of its threads
/// decoded in turn and the system's allocator kept a pool of memory per thread: a hundred
/// photos finishing together left the server holding 160 MB (see `BENCHMARKS.md`).
fn darkroom() -> &'static std::sync::mpsc::Sender<Job> {
    static DARKROOM: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    DARKROOM.get_or_init(|| {
        let (to_check, checks) = std::sync::mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("athar-files-check".into())
            .spawn(move || {
                for (sha256, bytes, done) in checks {
                    // A picture that makes the decoder panic is refused; the thread goes on
                    // checking the files that follow.
                    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check(&sha256, &bytes)
                    }))
                    .unwrap_or(Err("unreadable"));
                    let _ = done.send((bytes, found));
                }
            });
        if let Err(e) = started {
            tracing::error!(error = %e, "cannot start the thread that checks files");
        }
        to_check
    })
}

/// Checks `bytes` on the darkroom's thread; gives them back with what was found.
async fn checked(sha256: &str, bytes: Vec<u8>) -> Result<(Vec<u8>, Checked), AppError> {
    let (done, found) = tokio::sync::oneshot::channel();
    darkroom()
        .send((sha256.to_owned(), bytes, done))
        .map_err(|_| AppError::Internal)?;
    found.await.map_err(|_| AppError::Internal)
}

/// All the pieces are there: the file is checked, kept whole with its thumbnail, and its
/// pieces removed. Bytes that do not hash to the name, or are no kind Athar keeps, are dropped
/// and the file is sent again from the start.
async fn make_whole(state: &AppState, store: &FileStore, sha256: &str) -> Result<(), AppError> {
    let _turn = MAKING_WHOLE
        .acquire()
        .await
        .map_err(|_| AppError::Unavailable)?;
    let mut whole_file = Vec::new();
    for at in store.pieces(sha256).await? {
        match store.get(&at).await? {
            Some(bytes) => whole_file.extend_from_slice(&bytes),
            None => return Err(AppError::Unavailable),
        }
    }
    let (whole_file, checked) = checked(sha256, whole_file).await?;
    let (media, small) = match checked {
        Ok(found) => found,
        Err(code) => {
            store.forget_pieces(sha256).await?;
            state.db.file_checked(sha256, None).await?;
            tracing::info!(sha256, code, "file refused");
            return Err(refusal(code));
        }
    };
    store
        .store
        .put(&whole(sha256), PutPayload::from(whole_file))
        .await
        .map_err(unavailable)?;
    let small_made = small.is_some();
    if let Some(small) = small {
        store
            .store
            .put(&thumbnail(sha256), PutPayload::from(small))
            .await
            .map_err(unavailable)?;
    }
    state
        .db
        .file_checked(sha256, Some((media, small_made)))
        .await?;
    store.forget_pieces(sha256).await?;
    Ok(())
}

/// Checks a file's bytes against its name and its kind; makes a picture's thumbnail.
fn check(sha256: &str, bytes: &[u8]) -> Checked {
    if hex::encode(Sha256::digest(bytes)) != sha256 {
        return Err("hash_mismatch");
    }
    let media = Media::sniff(bytes).ok_or("not_allowed_type")?;
    if !media.is_image() {
        return Ok((media, None));
    }
    Ok((media, Some(make_thumbnail(bytes).ok_or("unreadable")?)))
}

/// A JPEG of about 320 px on its long side, or `None` when the picture cannot be read.
fn make_thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    // A small file may claim a huge picture: read no more than a 50-megapixel photo takes.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let small = picture.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&small)
        .ok()?;
    Some(out)
}

/// The file as a reader sees it.
async fn to_read(
    state: &AppState,
    auth: &RequestAuth,
    sha256: &str,
) -> Result<app::server::db::FileState, AppError> {
    let (user, scope) = caller(auth, sha256)?;
    state
        .db
        .file_to_read(sha256, user.id, scope)
        .await?
        .ok_or(AppError::NotFound)
}

fn serve(bytes: bytes::Bytes, media: Media, sha256: &str) -> Response {
    let disposition = match media {
        // A document is downloaded, never shown in the page's place.
        Media::Pdf => format!("attachment; filename=\"athar-{}.pdf\"", &sha256[..12]),
        _ => format!(
            "inline; filename=\"athar-{}.{}\"",
            &sha256[..12],
            media.as_str()
        ),
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    res
}

async fn download(
    State(state): State<AppState>,
    Extension(store): Extension<FileStore>,
    Extension(auth): Extension<RequestAuth>,
    Path(sha256): Path<String>,
) -> Response {
    let result = async {
        let file = to_read(&state, &auth, &sha256).await?;
        let media = file.media.ok_or(AppError::NotFound)?;
        let bytes = store.read(&sha256).await?.ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(serve(bytes, media, &sha256))
    }
    .await;
    result.unwrap_or_else(refused)
}

async fn download_thumbnail(
    State(state): State<AppState>,
    Extension(store): Extension<FileStore>,
    Extension(auth): Extension<RequestAuth>,
    Path(sha256): Path<String>,
) -> Response {
    let result = async {
        let file = to_read(&state, &auth, &sha256).await?;
        if !file.thumbnail {
            return Err(AppError::NotFound);
        }
        let bytes = store
            .get(&thumbnail(&sha256))
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(serve(bytes, Media::Jpeg, &sha256))
    }
    .await;
    result.unwrap_or_else(refused)
}

/// Removes the files no entry has named for [`KEPT_UNNAMED`]; returns how many went.
pub async fn sweep(db: &app::server::db::Db, store: &FileStore) -> Result<usize, AppError> {
    sweep_at(db, store, time::OffsetDateTime::now_utc()).await
}

/// [`sweep`] as it runs at `now`.
pub async fn sweep_at(
    db: &app::server::db::Db,
    store: &FileStore,
    now: time::OffsetDateTime,
) -> Result<usize, AppError> {
    let gone = db.sweep_files(now, now - KEPT_UNNAMED).await?;
    for sha256 in &gone {
        store.remove(sha256).await?;
    }
    Ok(gone.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_kept_only_when_its_bytes_hash_to_its_name_and_are_a_kind_athar_keeps() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec();
        let name = hex::encode(Sha256::digest(&pdf));
        assert_eq!(check(&name, &pdf), Ok((Media::Pdf, None)));
        assert_eq!(check(&"0".repeat(64), &pdf), Err("hash_mismatch"));
        let html = b"<html><script>alert(1)</script>".to_vec();
        assert_eq!(
            check(&hex::encode(Sha256::digest(&html)), &html),
            Err("not_allowed_type")
        );
        // Called a JPEG by its first bytes, but no picture behind them.
        let fake = b"\xFF\xD8\xFF\xE0 not a picture".to_vec();
        assert_eq!(
            check(&hex::encode(Sha256::digest(&fake)), &fake),
            Err("unreadable")
        );
    }

    #[test]
    fn a_picture_gets_a_thumbnail_of_about_320_pixels() {
        let picture = image::RgbImage::from_fn(1600, 1200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(picture)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let (media, small) = check(&hex::encode(Sha256::digest(&png)), &png).expect("kept");
        assert_eq!(media, Media::Png);
        let small = image::load_from_memory(&small.expect("a thumbnail")).expect("a JPEG");
        assert_eq!((small.width(), small.height()), (320, 240));
    }
}
