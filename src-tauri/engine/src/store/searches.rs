//! Finished fan-out slot searches: who searched, at which desk, how many services were asked and
//! what came back. Kept for the centre's reports (searches that found nothing, time from search to
//! booking); never the patient.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::db::{Stored, fetch_rows, store_error, with_pool};
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
            SearchRow
        )?;
        Ok(rows
            .into_iter()
            .filter(|s| span.holds(s.recorded_at))
            .collect())
    }
}

/// A search's columns as stored: the instant as RFC 3339 text, the days as ISO dates.
#[derive(sqlx::FromRow)]
struct SearchRow {
    id: i64,
    recorded_at: String,
    user_local_id: String,
    user_name: String,
    desk: String,
    organisation_ods: String,
    services_asked: i64,
    services_failed: i64,
    slots_found: i64,
    window_from: String,
    window_to: String,
}

fn count(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(store_error)
}

fn day(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(store_error)
}

impl Stored for SearchRow {
    type Value = SearchRecord;
    fn into_value(self) -> Result<SearchRecord> {
        Ok(SearchRecord {
            id: self.id,
            recorded_at: parse_instant(&self.recorded_at)?,
            user_local_id: self.user_local_id,
            user_name: self.user_name,
            desk: self.desk,
            organisation_ods: self.organisation_ods,
            services_asked: count(self.services_asked)?,
            services_failed: count(self.services_failed)?,
            slots_found: count(self.slots_found)?,
            window_from: day(&self.window_from)?,
            window_to: day(&self.window_to)?,
        })
    }
}
