//! Finished fan-out slot searches: who searched, at which desk, how many services were asked and
//! what came back. Kept for the centre's reports (searches that found nothing, time from search to
//! booking); never the patient.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::db::{Columns, fetch_rows, store_error, with_pool};
use super::window::{Span, parse_instant};
use crate::error::Result;

/// One search, as recorded when it finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchRecord {
    /// A plain number to the screens: registry ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub recorded_at: DateTime<Utc>,
    pub user_local_id: String,
    pub user_name: String,
    pub desk: String,
    pub organisation_ods: String,
    pub services_asked: u32,
    pub services_failed: u32,
    pub slots_found: u32,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
}

const INSERT_SEARCH: &str = "INSERT INTO search_events (recorded_at, user_local_id, user_name,
        desk, organisation_ods, services_asked, services_failed, slots_found, window_from,
        window_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id";

impl Store {
    /// Records a finished search and returns its id.
    pub async fn record_search(&self, s: &SearchRecord) -> Result<i64> {
        with_pool!(&self.db, pool => {
            sqlx::query_scalar(INSERT_SEARCH)
                .bind(s.recorded_at.to_rfc3339())
                .bind(&s.user_local_id)
                .bind(&s.user_name)
                .bind(&s.desk)
                .bind(&s.organisation_ods)
                .bind(i64::from(s.services_asked))
                .bind(i64::from(s.services_failed))
                .bind(i64::from(s.slots_found))
                .bind(s.window_from.to_string())
                .bind(s.window_to.to_string())
                .fetch_one(pool)
                .await
        })
        .map_err(store_error)
    }

    /// Searches recorded from `from` (inclusive) to `to` (exclusive), oldest first.
    pub async fn searches_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SearchRecord>> {
        let span = Span::new(from, to);
        let rows = fetch_rows!(
            &self.db,
            "SELECT * FROM search_events WHERE recorded_at >= $1 AND recorded_at < $2
             ORDER BY id",
            [span.floor(), span.ceiling()],
            search_from_row
        )?;
        Ok(rows
            .into_iter()
            .filter(|s| span.holds(s.recorded_at))
            .collect())
    }
}

fn count(r: &impl Columns, name: &str) -> Result<u32> {
    u32::try_from(r.int(name)?).map_err(store_error)
}

fn day(r: &impl Columns, name: &str) -> Result<NaiveDate> {
    r.text(name)?.parse().map_err(store_error)
}

fn search_from_row(r: &impl Columns) -> Result<SearchRecord> {
    Ok(SearchRecord {
        id: r.int("id")?,
        recorded_at: parse_instant(&r.text("recorded_at")?)?,
        user_local_id: r.text("user_local_id")?,
        user_name: r.text("user_name")?,
        desk: r.text("desk")?,
        organisation_ods: r.text("organisation_ods")?,
        services_asked: count(r, "services_asked")?,
        services_failed: count(r, "services_failed")?,
        slots_found: count(r, "slots_found")?,
        window_from: day(r, "window_from")?,
        window_to: day(r, "window_to")?,
    })
}
