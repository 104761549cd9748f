//! From a triage outcome to services the desk can book: the Directory of Services ranks the
//! services that suit the need, and each one's booking endpoint is looked up (SDS), not
//! configured. A service the desk cannot book is said so, with why and its phone.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::dos::{self, CareNeed, DosEndpoint, FoundService, ServiceSearch};
use super::sds::SdsCache;
use crate::Engine;
use crate::auth::permissions::Action;
use crate::directory::{Service, ServiceKind, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{Asid, OdsCode, ServiceId};
use crate::standards::{gp_connect, uec_booking};

/// What one sign-in learnt from the national directories. Never shared between sessions.
#[derive(Debug, Default)]
pub struct Found {
    pub(crate) sds: SdsCache,
    pub(crate) pds: super::pds::PdsSeen,
    services: Mutex<HashMap<ServiceId, Service>>,
}

impl Found {
    pub(crate) fn service(&self, id: &ServiceId) -> Option<Service> {
        self.services
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    pub(crate) fn is_found(&self, id: &ServiceId) -> bool {
        self.services
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(id)
    }

    fn keep(&self, service: Service) {
        self.services
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(service.id.clone(), service);
    }
}

/// How a found service is booked from the desk, or why it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum HowBooked {
    /// Bookable by `standard`, searched and booked as `service_id`.
    Book {
        standard: Standard,
        service_id: ServiceId,
        /// Which: the desk's own services.toml entry, or found in the national directories.
        configured: bool,
    },
    /// No booking endpoint: the patient is referred by phone.
    CallToRefer,
    /// It has a booking endpoint, but the desk cannot use it: `reason` says why.
    CannotBook { reason: String, next_step: String },
}

/// A service the DoS returned for the need, with how the desk can book it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServiceOption {
    pub service: FoundService,
    pub booking: HowBooked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServicesFound {
    /// In the DoS's order: nearest and most suitable first.
    pub services: Vec<ServiceOption>,
    pub search_distance_km: Option<u32>,
    pub transaction_id: Option<String>,
}

/// The SOAP web service, asked as the desk's account.
struct DosSoap<'a> {
    engine: &'a Engine,
    url: String,
    account: dos::DosAccount,
}

impl ServiceSearch for DosSoap<'_> {
    fn search<'a>(
        &'a self,
        need: &'a CareNeed,
        at: chrono::DateTime<chrono::Utc>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<dos::DosAnswer>> + Send + 'a>>
    {
        Box::pin(async move {
            let body = dos::check_capacity_summary(need, &self.account);
            let resp = self
                .engine
                .ask_dos(&self.url, &dos::check_capacity_summary_action(), body)
                .await?;
            dos::read_answer(resp.status, &resp.body, at).map_err(|e| e.with_trace(resp.trace_id))
        })
    }
}

impl Engine {
    /// The services that suit `need`, ranked by the DoS, each with how the desk can book it.
    /// `patient` scopes the endpoints looked up to this patient's care (their NHS number).
    pub async fn find_services(
        &self,
        need: &CareNeed,
        patient: Option<&str>,
    ) -> Result<ServicesFound> {
        self.may(Action::Search)?;
        need.check()?;
        let Some((url, account)) = self.desk().dos_account()? else {
            return Err(
                Error::config("This desk has no Directory of Services configured.").with_next_step(
                    "Ask your system administrator to add dos_url and dos_username to the \
                     [national] section; meanwhile choose from the services in services.toml.",
                ),
            );
        };
        let search = DosSoap {
            engine: self,
            url,
            account,
        };
        // "Open now" is at the search's time: the scenario's, when one is given.
        let answer = search
            .search(need, need.search_at.unwrap_or_else(|| self.clock().now()))
            .await?;
        let scope = patient.unwrap_or("no patient");
        // Each service's endpoint is looked up at once, not one after another.
        let bookings =
            futures::future::join_all(answer.services.iter().map(|f| self.how_booked(f, scope)))
                .await;
        let services = answer
            .services
            .into_iter()
            .zip(bookings)
            .map(|(service, booking)| ServiceOption { service, booking })
            .collect();
        Ok(ServicesFound {
            services,
            search_distance_km: answer.search_distance_km,
            transaction_id: answer.transaction_id,
        })
    }

    /// The service to search or book that `name` names: a services.toml id, a service found
    /// this session, or a DoS service id or ODS code, whose endpoint is then looked up in the
    /// DoS (ServiceDetailsById) and SDS. A service that cannot be booked is said so.
    pub async fn resolve_service(&self, name: &str, patient: Option<&str>) -> Result<ServiceId> {
        if let Ok(s) = self.directory().find(name) {
            return Ok(s.id.clone());
        }
        if let Ok(id) = ServiceId::parse(name)
            && self.found.is_found(&id)
        {
            return Ok(id);
        }
        // The desk's own name for a service found in an earlier session, as the registry and
        // the listings show it: found again by its DoS id.
        let name = ServiceId::parse(name)
            .ok()
            .and_then(|id| dos_id_of(&id).map(str::to_string))
            .unwrap_or_else(|| name.trim().to_string());
        let name = name.as_str();
        let looks_national =
            !name.is_empty() && name.len() <= 12 && name.bytes().all(|b| b.is_ascii_alphanumeric());
        let unknown = || {
            Error::new(ErrorKind::UnknownService)
                .with_message(format!("No service called '{name}' is known to the desk."))
                .with_next_step(
                    "Use an id from `bookdesk services`, a DoS service id or an ODS code.",
                )
        };
        if !looks_national {
            return Err(unknown());
        }
        let Some((url, account)) = self.desk().dos_account()? else {
            return Err(unknown());
        };
        let body = dos::service_details_by_id(name, &account);
        let resp = self
            .ask_dos(&url, &dos::service_details_by_id_action(), body)
            .await?;
        let services = dos::read_details(resp.status, &resp.body)?;
        let Some(mut found) = services.into_iter().next() else {
            return Err(unknown());
        };
        self.name_from_registry(&mut found).await;
        let found = &found;
        match self
            .how_booked(found, patient.unwrap_or("no patient"))
            .await
        {
            HowBooked::Book { service_id, .. } => Ok(service_id),
            HowBooked::CallToRefer => Err(Error::new(ErrorKind::Rejected)
                .with_message(format!(
                    "{} has no booking endpoint in the Directory of Services.",
                    found.name
                ))
                .with_next_step("Refer the patient by phone.")),
            HowBooked::CannotBook { reason, next_step } => Err(Error::new(ErrorKind::Rejected)
                .with_message(format!(
                    "{} cannot be booked from the desk: {reason}",
                    found.name
                ))
                .with_next_step(next_step)),
        }
    }

    /// The service `id` names wherever the desk knows it from: services.toml, this session's
    /// finds, or, for a service found in an earlier session (the registry keeps its `dos-…`
    /// id), the Directory of Services and SDS asked again for `patient`'s care. Without this a
    /// desk with no services list could not see, check or settle a booking after a restart.
    pub async fn reach_service(&self, id: &ServiceId, patient: Option<&str>) -> Result<Service> {
        let unknown = match self.service(id) {
            Ok(s) => return Ok(s),
            Err(e) => e,
        };
        if dos_id_of(id).is_none() {
            return Err(unknown);
        }
        let reached = self.resolve_service(id.as_str(), patient).await?;
        self.service(&reached)
    }

    /// As [`Engine::reach_service`], for the service an appointment is at: the patient whose
    /// care the endpoint is looked up for is the one the registry booked it for.
    pub(crate) async fn reach_appointment_service(
        &self,
        id: &ServiceId,
        appointment: &crate::ids::AppointmentId,
    ) -> Result<Service> {
        if let Ok(s) = self.service(id) {
            return Ok(s);
        }
        let patient = self
            .store()
            .appointment_nhs_number(id.as_str(), appointment.as_str())
            .await
            .ok()
            .flatten();
        self.reach_service(id, patient.as_deref()).await
    }

    /// The name, kind and place the DoS's search gave a found service the desk booked at, for
    /// one reached again by id (the lookup by id gives none of them).
    async fn name_from_registry(&self, found: &mut FoundService) {
        let Ok(id) = found_id(&found.dos_id) else {
            return;
        };
        match self.store().found_service(id.as_str()).await {
            Ok(Some(known)) => {
                found.name = known.name;
                found.service_type = known.service_type;
                found.address = known.address;
                found.postcode = known.postcode;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(kind = ?e.kind, "found service's name not read"),
        }
    }

    /// Keeps what the directory said of a found service about to be booked, so a later session
    /// can name it. A configured service, or one known only by its id, is not kept.
    pub(crate) async fn remember_found(&self, service: &Service) {
        if !self.found.is_found(&service.id)
            || self.directory().get(&service.id).is_ok()
            || dos_id_of(&service.id).is_none_or(|d| service.name == dos::unnamed(d))
        {
            return;
        }
        let record = crate::store::FoundServiceRecord {
            service_id: service.id.to_string(),
            name: service.name.clone(),
            service_type: Some(service.kind.label().to_string()),
            address: service.address.clone(),
            postcode: service.postcode.clone(),
        };
        if let Err(e) = self
            .store()
            .remember_found_service(&record, self.clock().now())
            .await
        {
            tracing::warn!(kind = ?e.kind, "found service not kept");
        }
    }

    /// One SOAP request to the DoS; SOAP 1.2 carries the action in the content type.
    async fn ask_dos(
        &self,
        url: &str,
        action: &str,
        body: String,
    ) -> Result<crate::transport::FhirResponse> {
        let content_type = format!("{}; action=\"{action}\"", dos::SOAP_CONTENT_TYPE);
        self.transport()
            .post_soap(url, dos::DOS, &content_type, body)
            .await
    }

    async fn how_booked(&self, found: &FoundService, scope: &str) -> HowBooked {
        // The desk's own entry for the service wins: services.toml is the local override.
        if let Some(s) = self
            .directory()
            .all()
            .iter()
            .find(|s| configured_as(s, found))
        {
            return HowBooked::Book {
                standard: s.standard,
                service_id: s.id.clone(),
                configured: true,
            };
        }
        // BaRS: the platform's catalogue says whether the service takes it.
        let mut catalogue_unread = None;
        match self.in_bars_catalogue(&found.dos_id).await {
            Ok(true) => match bars_service(found, self.desk().bars_url().unwrap_or_default()) {
                Ok(service) => {
                    let booking = HowBooked::Book {
                        standard: Standard::Bars,
                        service_id: service.id.clone(),
                        configured: false,
                    };
                    self.found.keep(service);
                    return booking;
                }
                Err(e) => return cannot(&e.message, &e.next_step),
            },
            Ok(false) => {}
            // The catalogue unreadable: SDS may still know the service; said if not.
            Err(e) => {
                tracing::warn!(kind = ?e.kind, "BaRS catalogue not read");
                catalogue_unread = Some(e);
            }
        }
        let endpoints: Vec<&DosEndpoint> = found.booking_endpoints().collect();
        let Some(endpoint) = endpoints.first() else {
            // No endpoint in the DoS, but it may take BaRS: "call to refer" would be a guess.
            return match catalogue_unread {
                Some(e) => cannot(
                    &format!(
                        "whether it takes bookings through BaRS could not be checked: {}",
                        e.message
                    ),
                    if e.next_step.is_empty() {
                        "Try again, or refer the patient by phone."
                    } else {
                        &e.next_step
                    },
                ),
                None => HowBooked::CallToRefer,
            };
        };
        let Some(ods) = endpoint.sds_ods().or_else(|| found.ods.clone()) else {
            return cannot(
                "the Directory of Services gives no ODS code for its booking endpoint",
                "Refer the patient by phone.",
            );
        };
        match self.bookable_at(found, &ods, scope).await {
            Ok(service) => {
                let booking = HowBooked::Book {
                    standard: service.standard,
                    service_id: service.id.clone(),
                    configured: false,
                };
                self.found.keep(service);
                booking
            }
            Err(e) => cannot(&e.message, &e.next_step),
        }
    }

    /// The service as the desk books it, from SDS: GP Connect if SDS has it for GP Connect's
    /// slot search, else UEC Booking's. SDS's answer says which standard the service speaks.
    async fn bookable_at(&self, found: &FoundService, ods: &str, scope: &str) -> Result<Service> {
        let asks = [
            (
                Standard::GpConnect,
                gp_connect::interaction_id(gp_connect::interaction::SEARCH_SLOTS),
            ),
            (
                Standard::UecBooking,
                uec_booking::interaction_id(uec_booking::interaction::SEARCH_SLOTS),
            ),
        ];
        let mut last = None;
        for (standard, interaction) in asks {
            match self.spine_endpoint(ods, &interaction, scope).await {
                Ok(endpoint) => return service_from(found, standard, ods, &endpoint),
                Err(e) if e.kind == ErrorKind::NotFound => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new(ErrorKind::NotFound)))
    }
}

/// Whether the desk's configured service `s` is the DoS's `found`: by DoS id; by ODS code only
/// for a GP Connect practice, whose ODS code is the practice (one organisation can run many
/// DoS services, so elsewhere an ODS code alone could book the wrong one).
fn configured_as(s: &Service, found: &FoundService) -> bool {
    s.target_identifier.as_deref() == Some(found.dos_id.as_str())
        || s.healthcare_service.as_deref() == Some(found.dos_id.as_str())
        || (s.standard == Standard::GpConnect
            && found
                .ods
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(s.ods.as_str())))
}

fn cannot(reason: &str, next_step: &str) -> HowBooked {
    HowBooked::CannotBook {
        reason: reason.to_string(),
        next_step: next_step.to_string(),
    }
}

/// The found service as an entry the desk books with.
fn service_from(
    found: &FoundService,
    standard: Standard,
    ods: &str,
    endpoint: &super::sds::SpineEndpoint,
) -> Result<Service> {
    Ok(Service {
        id: found_id(&found.dos_id)?,
        name: found.shown_name().to_string(),
        kind: kind_of(found.service_type.as_deref(), standard),
        standard,
        base_url: endpoint.address.trim_end_matches('/').to_string(),
        ods: OdsCode::parse(ods)?,
        asid: Asid::parse(&endpoint.asid)?,
        // UEC Booking searches slots by the DoS service id (NHS Booking standard, search for
        // free slots: the `service` parameter).
        healthcare_service: (standard == Standard::UecBooking).then(|| found.dos_id.clone()),
        address: found.address.clone(),
        postcode: found.postcode.clone(),
        report_url: (standard == Standard::UecBooking)
            .then(|| report_address(found))
            .flatten(),
        target_identifier: None,
    })
}

/// Where the DoS says a UEC service takes the 111 report, if it says so in a way the desk can
/// send to safely (a URL over TLS); otherwise the report is kept and the person told.
fn report_address(found: &FoundService) -> Option<String> {
    let endpoint = found.endpoints.iter().find(|e| e.is_111_report())?;
    match crate::secure_url::check(&endpoint.address, "111 report address the DoS gives") {
        Ok(()) => Some(endpoint.address.clone()),
        Err(e) => {
            tracing::warn!(kind = ?e.kind, "a found service's 111 report address is not used");
            None
        }
    }
}

/// The found service as the desk books it through the BaRS root, addressed by its DoS id.
fn bars_service(found: &FoundService, root: &str) -> Result<Service> {
    Ok(Service {
        id: found_id(&found.dos_id)?,
        name: found.shown_name().to_string(),
        kind: kind_of(found.service_type.as_deref(), Standard::Bars),
        standard: Standard::Bars,
        base_url: root.trim_end_matches('/').to_string(),
        ods: OdsCode::parse(found.ods.as_deref().unwrap_or_default()).map_err(|_| {
            Error::new(ErrorKind::MalformedResponse).with_message(
                "The Directory of Services gives the service no ODS code, which BaRS messages need.",
            )
        })?,
        // BaRS goes through the API platform, not Spine's proxy: no ASID is ever sent.
        asid: Asid::parse(NO_ASID)?,
        healthcare_service: None,
        address: found.address.clone(),
        postcode: found.postcode.clone(),
        report_url: None,
        target_identifier: Some(found.dos_id.clone()),
    })
}

/// Stands in for the ASID a BaRS service does not have (it is only sent through Spine).
const NO_ASID: &str = "000000000000";

/// How the desk names a service found in the national directories: its DoS id, prefixed.
const FOUND_PREFIX: &str = "dos-";

/// The desk's id for a found service: its DoS id.
fn found_id(dos_id: &str) -> Result<ServiceId> {
    ServiceId::parse(&format!("{FOUND_PREFIX}{}", dos_id.to_ascii_lowercase())).map_err(|_| {
        Error::new(ErrorKind::MalformedResponse).with_message(format!(
            "The Directory of Services gave a service id the desk cannot use ({dos_id})."
        ))
    })
}

/// The DoS id in the desk's id for a found service; `None` for any other id.
fn dos_id_of(id: &ServiceId) -> Option<&str> {
    id.as_str()
        .strip_prefix(FOUND_PREFIX)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `service` at SDS's endpoint for one interaction: its address and ASID.
pub(crate) fn at_endpoint(
    service: &Service,
    endpoint: &super::sds::SpineEndpoint,
) -> Result<Service> {
    Ok(Service {
        base_url: endpoint.address.trim_end_matches('/').to_string(),
        asid: Asid::parse(&endpoint.asid)?,
        ..service.clone()
    })
}

/// The kind of service from the DoS service type's name.
fn kind_of(service_type: Option<&str>, standard: Standard) -> ServiceKind {
    let t = service_type.unwrap_or_default().to_ascii_lowercase();
    if t.contains("emergency") {
        ServiceKind::EmergencyDepartment
    } else if t.contains("out of hours") || t.contains("out-of-hours") {
        ServiceKind::GpOutOfHours
    } else if t.contains("gp practice")
        || t.contains("general practice")
        || (standard == Standard::GpConnect && t.is_empty())
    {
        ServiceKind::GpPractice
    } else {
        ServiceKind::UrgentCare
    }
}
