//! `athar backup` and `athar restore` for the embedded SQLite database; on PostgreSQL, the
//! commands that do it (`pg_dump`, `pg_restore`).
//!
//! A running `athar serve` on a SQLite file holds a shared lock on `<file>.serving` for its
//! whole life: `restore` takes it exclusively, so it never replaces a database under a server.

use anyhow::{Context, bail};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The file of a `sqlite:` database URL; `None` for another engine.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// The lock a server holds on its SQLite file while it runs.
fn lock_file(database: &Path) -> anyhow::Result<File> {
    let mut name = database.as_os_str().to_owned();
    name.push(".serving");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(name))
        .context("cannot open the database's lock file")
}

/// Held by `athar serve` for as long as it runs (a shared lock: instances may share a file).
pub fn hold_while_serving(url: &str) -> anyhow::Result<Option<File>> {
    let Some(path) = sqlite_file(url) else {
        return Ok(None);
    };
    let file = lock_file(&path)?;
    file.lock_shared()
        .context("cannot lock the database's lock file")?;
    Ok(Some(file))
}

/// Copies the database to `to`: a consistent copy, taken while a server may be writing.
pub async fn backup(url: &str, to: &Path) -> anyhow::Result<()> {
    let Some(path) = sqlite_file(url) else {
        bail!(
            "on PostgreSQL, back up with pg_dump: pg_dump --format=custom --file {} '{url}'",
            to.display()
        );
    };
    if to.exists() {
        bail!("{} exists already: back up to a new file", to.display());
    }
    let mut conn = open(&path, false).await?;
    let target = to
        .to_str()
        .context("the backup's path is not valid UTF-8")?;
    sqlx::query("vacuum into ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .with_context(|| format!("cannot write the backup to {}", to.display()))?;
    conn.close().await?;
    check(to).await?;
    tracing::info!(file = %to.display(), "backup written and checked");
    Ok(())
}

/// Replaces the database with the backup `from`, once it is checked, keeping the replaced file
/// (and its journal) aside. Refused while a server uses the database.
pub async fn restore(url: &str, from: &Path) -> anyhow::Result<()> {
    let Some(path) = sqlite_file(url) else {
        bail!(
            "on PostgreSQL, restore with pg_restore: pg_restore --clean --if-exists --dbname '{url}' {}",
            from.display()
        );
    };
    let lock = lock_file(&path)?;
    if lock.try_lock().is_err() {
        bail!(
            "a server is using {}: stop it, then restore",
            path.display()
        );
    }
    check(from).await?;
    let aside = if path.exists() {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let aside = with_suffix(&path, &format!(".replaced-{stamp}"));
        for part in ["", "-wal", "-shm"] {
            let from = with_suffix(&path, part);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, part))
                    .with_context(|| format!("cannot move {} aside", from.display()))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::copy(from, &path)
        .with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
    File::open(&path)?.sync_all()?;
    drop(lock);
    match aside {
        Some(aside) => tracing::info!(
            restored = %path.display(),
            replaced = %aside.display(),
            "restored; the replaced database is kept aside"
        ),
        None => tracing::info!(restored = %path.display(), "restored"),
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn open(path: &Path, read_only: bool) -> anyhow::Result<sqlx::SqliteConnection> {
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// A backup fit to restore: an intact SQLite database of Athar, at a schema this build knows.
async fn check(file: &Path) -> anyhow::Result<()> {
    let mut conn = open(file, true).await?;
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if integrity != "ok" {
        bail!("{} is damaged: {integrity}", file.display());
    }
    let schema: Option<i64> = sqlx::query_scalar("select max(version) from _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a database of Athar", file.display()))?;
    let known = app::server::db::SqliteDb::latest_schema();
    if schema.unwrap_or(0) > known {
        bail!(
            "{} was made by a newer Athar (schema {}, this one knows up to {known}): restore it \
             with that version",
            file.display(),
            schema.unwrap_or(0)
        );
    }
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::PathBuf;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://athar.db"),
            Some(PathBuf::from("athar.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/athar/athar.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/athar/athar.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u:p@h/athar"), None);
    }
}
