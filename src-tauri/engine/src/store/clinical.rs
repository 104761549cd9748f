//! The clinical handover kept with each booking: written once, never replaced; only the
//! report's delivery is recorded afterwards.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Store, store_error};
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
        sqlx::query(
            "INSERT INTO clinical_handovers (recorded_at, service_id, appointment_id, standard,
                summary_json, description, comment, report_id, report_xml, bars_bundle)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    pub async fn mark_report_delivered(&self, report_id: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE clinical_handovers SET delivered_at = ? WHERE report_id = ?")
            .bind(at.to_rfc3339_opts(SecondsFormat::Millis, true))
            .bind(report_id)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// The handovers recorded for one appointment, oldest first.
    pub async fn handovers(&self, service_id: &str, appointment_id: &str) -> Result<Vec<Handover>> {
        let rows = sqlx::query(
            "SELECT * FROM clinical_handovers WHERE service_id = ? AND appointment_id = ?
             ORDER BY id",
        )
        .bind(service_id)
        .bind(appointment_id)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|r| {
                let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
                    let text: Option<String> = r.try_get(name).map_err(store_error)?;
                    text.map(|t| {
                        DateTime::parse_from_rfc3339(&t)
                            .map(|d| d.with_timezone(&Utc))
                            .map_err(store_error)
                    })
                    .transpose()
                };
                let get = |name: &str| -> Result<String> { r.try_get(name).map_err(store_error) };
                let opt =
                    |name: &str| -> Result<Option<String>> { r.try_get(name).map_err(store_error) };
                Ok(Handover {
                    recorded_at: time("recorded_at")?.unwrap_or_default(),
                    service_id: get("service_id")?,
                    appointment_id: get("appointment_id")?,
                    standard: get("standard")?,
                    summary_json: get("summary_json")?,
                    description: get("description")?,
                    comment: opt("comment")?,
                    report_id: opt("report_id")?,
                    report_xml: opt("report_xml")?,
                    bars_bundle: get("bars_bundle")?,
                    delivered_at: time("delivered_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_kept_report_is_never_replaced_or_deleted_only_marked_delivered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bookings.sqlite");
        let store = Store::open(path.to_str().expect("utf-8"))
            .await
            .expect("store");
        let h = Handover {
            recorded_at: Utc::now(),
            service_id: "calder-valley-utc".into(),
            appointment_id: "77".into(),
            standard: "uec-booking".into(),
            summary_json: "{}".into(),
            description: "Sore throat".into(),
            comment: None,
            report_id: Some("5a1c0f6e-2f43-4c5e-9a53-0c7f7c2b1d11".into()),
            report_xml: Some("<ClinicalDocument/>".into()),
            bars_bundle: "{}".into(),
            delivered_at: None,
        };
        store.record_handover(&h).await.expect("recorded");
        // A second report with the same id is refused, not stored over the first.
        assert!(store.record_handover(&h).await.is_err());
        let replace = sqlx::query("UPDATE clinical_handovers SET report_xml = 'changed'")
            .execute(&store.pool)
            .await;
        assert!(replace.is_err(), "the report was replaced");
        let delete = sqlx::query("DELETE FROM clinical_handovers")
            .execute(&store.pool)
            .await;
        assert!(delete.is_err(), "the handover was deleted");
        store
            .mark_report_delivered(h.report_id.as_deref().expect("id"), Utc::now())
            .await
            .expect("delivery recorded");
        let kept = store
            .handovers("calder-valley-utc", "77")
            .await
            .expect("read");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].report_xml.as_deref(), Some("<ClinicalDocument/>"));
        assert!(kept[0].delivered_at.is_some());
    }
}
