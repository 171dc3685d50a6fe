//! The starter indicator catalogue (part B of the domain research, `app/indicators/starter.json`):
//! checked like any catalogue the team publishes, and the first version of each indicator on a
//! new database.

use crate::domain::indicator::{check_catalogue, starter_catalogue};
use crate::server::db::{Database, DbError};

/// The value chains the starter catalogue may name (the programme's, `server::demo`).
pub const VALUE_CHAINS: [&str; 8] = ["DAT", "PAL", "ART", "TOU", "REC", "AGS", "ELE", "GEO"];

/// Stores each starter indicator the database has no version of yet (a new database, or one
/// added by an upgrade). Indicators the team changed are left as they are.
pub async fn install_starter(db: &(impl Database + ?Sized)) -> Result<(), DbError> {
    let starter = starter_catalogue();
    check_catalogue(&starter, &VALUE_CHAINS)
        .map_err(|errors| DbError::Value(format!("starter catalogue: {errors:?}")))?;
    let stored = db.indicators().await?;
    for indicator in &starter {
        if stored.iter().any(|s| s.code == indicator.code) {
            continue;
        }
        match db.insert_indicator(indicator, None).await {
            // Another instance installed it at the same moment.
            Ok(()) | Err(DbError::AlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
