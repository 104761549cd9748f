//! The names and places of services the desk found in the national directories and booked at,
//! kept so a later session that reaches such a service by its DoS id alone can still say which
//! service it is (the DoS's lookup by id gives neither).

use super::Store;
use super::db::{store_error, with_pool};
use crate::error::Result;

/// What the Directory of Services said of a found service when the desk booked there.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundServiceRecord {
    pub service_id: String,
    pub name: String,
    pub service_type: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

impl Store {
    /// Keeps (or refreshes) what the directory said of a found service.
    pub async fn remember_found_service(
        &self,
        r: &FoundServiceRecord,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO found_services
                    (service_id, name, service_type, address, postcode, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (service_id) DO UPDATE SET name = excluded.name,
                    service_type = excluded.service_type, address = excluded.address,
                    postcode = excluded.postcode, recorded_at = excluded.recorded_at",
            )
            .bind(&r.service_id)
            .bind(&r.name)
            .bind(&r.service_type)
            .bind(&r.address)
            .bind(&r.postcode)
            .bind(at.to_rfc3339())
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_error)
    }

    /// What was kept of the found service `service_id`, if the desk ever booked there.
    pub async fn found_service(&self, service_id: &str) -> Result<Option<FoundServiceRecord>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as::<_, FoundServiceRecord>(
                "SELECT service_id, name, service_type, address, postcode
                 FROM found_services WHERE service_id = $1",
            )
            .bind(service_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_error)
    }
}
