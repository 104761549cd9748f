//! Bookings about to be sent, written ahead of the request so that a desk that dies while one is
//! in flight knows, when it starts again, that it has something to check at the service.

use chrono::{DateTime, Utc};

use super::Store;
use super::db::{Columns, fetch_rows, store_error, with_pool};
use super::window::parse_instant;
use crate::error::Result;

/// One booking request that has been (or is about to be) sent, whose outcome is not recorded yet.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingIntent {
    pub request_id: String,
    pub recorded_at: DateTime<Utc>,
    pub service_id: String,
    pub slot_ids: Vec<String>,
    /// The first slot's start: where to look for the booking at the service.
    pub slot_start: String,
    pub nhs_number: Option<String>,
    pub user_local_id: String,
    pub user_name: String,
    pub desk: String,
}

impl Store {
    /// Writes the intent before the request goes.
    pub async fn begin_booking(&self, i: &BookingIntent) -> Result<()> {
        let slots = serde_json::to_string(&i.slot_ids).map_err(store_error)?;
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO booking_intents (request_id, recorded_at, service_id, slot_ids,
                    slot_start, nhs_number, user_local_id, user_name, desk)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&i.request_id)
            .bind(i.recorded_at.to_rfc3339())
            .bind(&i.service_id)
            .bind(&slots)
            .bind(&i.slot_start)
            .bind(&i.nhs_number)
            .bind(&i.user_local_id)
            .bind(&i.user_name)
            .bind(&i.desk)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_error)
    }

    /// Removes the intent once the attempt's outcome is recorded.
    pub async fn end_booking(&self, request_id: &str) -> Result<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM booking_intents WHERE request_id = $1")
                .bind(request_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_error)
    }

    /// Intents left by this desk's runs (or any desk's, on a shared registry) at `desk`.
    pub async fn open_bookings(&self, desk: &str) -> Result<Vec<BookingIntent>> {
        fetch_rows!(
            &self.db,
            "SELECT * FROM booking_intents WHERE desk = $1 ORDER BY recorded_at",
            [desk],
            intent_from_row
        )
    }
}

fn intent_from_row(r: &impl Columns) -> Result<BookingIntent> {
    Ok(BookingIntent {
        request_id: r.text("request_id")?,
        recorded_at: parse_instant(&r.text("recorded_at")?)?,
        service_id: r.text("service_id")?,
        slot_ids: serde_json::from_str(&r.text("slot_ids")?).map_err(store_error)?,
        slot_start: r.text("slot_start")?,
        nhs_number: r.opt_text("nhs_number")?,
        user_local_id: r.text("user_local_id")?,
        user_name: r.text("user_name")?,
        desk: r.text("desk")?,
    })
}
