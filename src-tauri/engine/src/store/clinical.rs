//! The clinical handover kept with each booking: written once, never replaced; only the
//! report's delivery is recorded afterwards.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::db::{Stored, fetch_rows, store_error, with_pool};
use crate::error::Result;

/// One booking's handover, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub recorded_at: DateTime<Utc>,
    pub service_id: String,
    pub appointment_id: String,
    /// `gp-connect` or `uec-booking`.
    pub standard: String,
    pub summary_json: String,
    pub description: String,
    pub comment: Option<String>,
    pub report_id: Option<String>,
    pub report_xml: Option<String>,
    pub bars_bundle: String,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn record_handover(&self, h: &Handover) -> Result<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO clinical_handovers (recorded_at, service_id, appointment_id, standard,
                    summary_json, description, comment, report_id, report_xml, bars_bundle)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(h.recorded_at.to_rfc3339_opts(SecondsFormat::Millis, true))
            .bind(&h.service_id)
            .bind(&h.appointment_id)
            .bind(&h.standard)
            .bind(&h.summary_json)
            .bind(&h.description)
            .bind(&h.comment)
            .bind(&h.report_id)
            .bind(&h.report_xml)
            .bind(&h.bars_bundle)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_error)
    }

    pub async fn mark_report_delivered(&self, report_id: &str, at: DateTime<Utc>) -> Result<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("UPDATE clinical_handovers SET delivered_at = $1 WHERE report_id = $2")
                .bind(at.to_rfc3339_opts(SecondsFormat::Millis, true))
                .bind(report_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_error)
    }

    /// The handovers recorded for one appointment, oldest first.
    pub async fn handovers(&self, service_id: &str, appointment_id: &str) -> Result<Vec<Handover>> {
        fetch_rows!(
            &self.db,
            "SELECT * FROM clinical_handovers WHERE service_id = $1 AND appointment_id = $2
             ORDER BY id",
            [service_id, appointment_id],
            HandoverRow
        )
    }
}

/// A handover's columns as stored: instants as RFC 3339 text.
#[derive(sqlx::FromRow)]
struct HandoverRow {
    recorded_at: Option<String>,
    service_id: String,
    appointment_id: String,
    standard: String,
    summary_json: String,
    description: String,
    comment: Option<String>,
    report_id: Option<String>,
    report_xml: Option<String>,
    bars_bundle: String,
    delivered_at: Option<String>,
}

fn time(text: Option<String>) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(&t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(store_error)
    })
    .transpose()
}

impl Stored for HandoverRow {
    type Value = Handover;
    fn into_value(self) -> Result<Handover> {
        Ok(Handover {
            recorded_at: time(self.recorded_at)?.unwrap_or_default(),
            service_id: self.service_id,
            appointment_id: self.appointment_id,
            standard: self.standard,
            summary_json: self.summary_json,
            description: self.description,
            comment: self.comment,
            report_id: self.report_id,
            report_xml: self.report_xml,
            bars_bundle: self.bars_bundle,
            delivered_at: time(self.delivered_at)?,
        })
    }
}
