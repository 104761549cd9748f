//! Services that suit a patient's need, from the Directory of Services (DoS): the search 111
//! makes after triage. The desk asks through [`ServiceSearch`], so the national FHIR "DoS
//! Search" API can take the SOAP API's place without the rest of the desk changing.
//!
//! The SOAP API followed here is CheckCapacitySummary v1.5: its field definitions
//! (`ccs_fields_v1.5`), WSDL (`wsdl_v15`), authentication (`soap_api_1_5_auth`) and error codes
//! (`soap_api_errors_1_5`), published at developer.nhs.uk/apis/dos-api and in
//! `nhsd-a2si/docs-dos-api`.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::xml::{self, Element};
use crate::error::{Error, ErrorKind, Result};

/// The web service's namespace (WSDL v1.5 target namespace).
pub const NAMESPACE: &str = "https://nww.pathwaysdos.nhs.uk/app/api/webservices";
/// SOAP 1.2, as the WSDL's port binds it.
const SOAP_ENVELOPE: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const SOAP_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";
/// The version asked for in the `serviceVersion` header: the default is older (1.3).
const SERVICE_VERSION: &str = "1.5";
/// What the DoS calls itself in messages.
pub const DOS: &str = "the Directory of Services (DoS)";

/// How old the patient is, in one of the formats the search accepts (`ageFormat`): days under
/// a month, months under two years, years from two (ccs_fields_v1.5: Days 0–31, Months 1–23,
/// Years 2–129).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Age {
    Days(u16),
    Months(u16),
    Years(u16),
}

impl Age {
    /// The patient's age on `today`, in the format the DoS expects for it.
    pub fn on(birth: NaiveDate, today: NaiveDate) -> Result<Age> {
        if birth > today {
            return Err(Error::invalid("The date of birth is after today."));
        }
        let years = today.years_since(birth).unwrap_or(0);
        if years >= 2 {
            return Ok(Age::Years(years.min(129) as u16));
        }
        let mut months =
            (today.year() - birth.year()) * 12 + today.month() as i32 - birth.month() as i32;
        if today.day() < birth.day() {
            months -= 1;
        }
        if months >= 1 {
            return Ok(Age::Months(months as u16));
        }
        Ok(Age::Days((today - birth).num_days() as u16))
    }

    fn wire(self) -> (u16, &'static str) {
        match self {
            Age::Days(n) => (n, "Days"),
            Age::Months(n) => (n, "Months"),
            Age::Years(n) => (n, "Years"),
        }
    }

    fn check(self) -> Result<()> {
        let ok = match self {
            Age::Days(n) => n <= 31,
            Age::Months(n) => (1..=23).contains(&n),
            Age::Years(n) => (2..=129).contains(&n),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "The age is outside what the Directory of Services accepts: 0–31 days, 1–23 months or 2–129 years.",
            ))
        }
    }
}

/// The patient's sex as the search takes it (`gender`: M, F or I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
    Indeterminate,
}

impl Sex {
    fn wire(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Indeterminate => "I",
        }
    }

    /// From FHIR's administrative gender; `unknown` and `other` search as indeterminate.
    pub fn from_gender(gender: Option<&str>) -> Sex {
        match gender {
            Some("female") => Sex::Female,
            Some("male") => Sex::Male,
            _ => Sex::Indeterminate,
        }
    }
}

/// The triage outcome and where the patient is: what CheckCapacitySummary searches by. No
/// name or NHS number: the request is "a non-identifiable representation of a clinical case".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CareNeed {
    /// Where the patient is now (`postcode`).
    pub postcode: String,
    pub age: Age,
    pub sex: Sex,
    /// The DoS disposition id of the Pathways outcome (`disposition`), e.g. for Dx05.
    pub disposition: Option<u32>,
    /// `symptomGroup` (SG) and `symptomDiscriminatorList` (SD), from the triage: both needed.
    pub symptom_group: Option<u32>,
    pub symptom_discriminators: Vec<u32>,
    /// `searchDistance` in kilometres (1–99); the DoS's own distance for the postcode otherwise.
    pub search_distance_km: Option<u8>,
    /// The registered practice's ODS code (`surgery`).
    pub surgery: Option<String>,
    /// Search as if at this instant (`searchDateTime`): for scenario testing only, as the WSDL
    /// says; a real call's search leaves it out and the DoS uses its own clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_at: Option<DateTime<Utc>>,
}

impl CareNeed {
    pub fn check(&self) -> Result<()> {
        self.age.check()?;
        if self.postcode.trim().is_empty() {
            return Err(Error::invalid(
                "Enter the postcode where the patient is now.",
            ));
        }
        // The DoS refuses a search without a discriminator (soap_api_errors_1_5, code 104).
        if self.symptom_group.is_none() || self.symptom_discriminators.is_empty() {
            return Err(Error::invalid(
                "The Directory of Services needs the triage outcome's symptom group and symptom discriminator.",
            )
            .with_next_step("Enter the symptom group (SG) and discriminator (SD) the triage gave."));
        }
        if self
            .search_distance_km
            .is_some_and(|d| !(1..=99).contains(&d))
        {
            return Err(Error::invalid(
                "The search distance must be between 1 and 99 kilometres.",
            ));
        }
        Ok(())
    }
}

/// One endpoint profiled on a service (`serviceEndpoints/endpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DosEndpoint {
    pub order: Option<u32>,
    /// e.g. `http`, `itk`, `email`.
    pub transport: String,
    /// e.g. `FHIR`, `CDA`.
    pub format: String,
    pub interaction: String,
    /// `Primary` (acted on) or `Copy` (for information).
    pub business_scenario: Option<String>,
    pub address: String,
}

impl DosEndpoint {
    /// A booking endpoint: transport `http`, format `FHIR`, interaction `Scheduling`, whose
    /// address names the SDS entry as `ODS:<code>` or `ASID:<id>` (nhsd-a2si/docs-uec-appts,
    /// dos_endpoints_booking).
    pub fn is_booking(&self) -> bool {
        self.transport.eq_ignore_ascii_case("http")
            && self.format.eq_ignore_ascii_case("FHIR")
            && self.interaction.eq_ignore_ascii_case("Scheduling")
    }

    /// Where the service takes the NHS 111 report: transport `itk`, format `CDA`, an ITK
    /// `…RecipientNHS111CDADocument-v2-0` interaction, for action (`Primary`), addressed by URL
    /// (nhsd-a2si/docs-uec-appts, dos_endpoints_existing and dos_endpoints_new; dos_itk).
    pub fn is_111_report(&self) -> bool {
        self.transport.eq_ignore_ascii_case("itk")
            && self.format.eq_ignore_ascii_case("CDA")
            && self
                .interaction
                .ends_with("RecipientNHS111CDADocument-v2-0")
            && self
                .business_scenario
                .as_deref()
                .is_none_or(|b| b.eq_ignore_ascii_case("Primary"))
    }

    /// The ODS code a booking endpoint's address points SDS at, if it names one.
    pub fn sds_ods(&self) -> Option<String> {
        self.address
            .split('|')
            .find_map(|part| part.trim().strip_prefix("ODS:"))
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
    }
}

/// A service the DoS returned, in its order (CheckCapacitySummary v1.5 response fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FoundService {
    /// The DoS service id (`id`).
    pub dos_id: String,
    /// The profiled name; `public_name` is shown in preference where there is one.
    pub name: String,
    pub public_name: Option<String>,
    /// `odsCode`: not validated against ODS by the DoS, so only a pointer.
    pub ods: Option<String>,
    /// `serviceType/name`, e.g. "GP Practice", "Urgent Treatment Centre".
    pub service_type: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// Straight-line miles from the patient's postcode (`distance`).
    pub distance_miles: Option<f64>,
    /// The public phone (`contactDetails`).
    pub phone: Option<String>,
    /// For professionals only, never to be given to the patient (`nonPublicTelephoneNo`).
    pub professional_phone: Option<String>,
    /// `referralInformation`: for 111 staff, not the public.
    pub referral_information: Option<String>,
    pub open_all_hours: bool,
    /// Open at the search's time, from the weekly rota; `None` when the DoS gave no rota.
    pub open_now: Option<bool>,
    /// `capacity`: High, Low (None never returns).
    pub capacity: Option<String>,
    pub endpoints: Vec<DosEndpoint>,
    /// The `requirebooking` attribute: referral only with an appointment.
    pub requires_booking: bool,
}

impl FoundService {
    /// The name to show: the public name where the DoS has one.
    pub fn shown_name(&self) -> &str {
        self.public_name.as_deref().unwrap_or(&self.name)
    }

    /// The booking endpoints, in the DoS's order.
    pub fn booking_endpoints(&self) -> impl Iterator<Item = &DosEndpoint> {
        self.endpoints.iter().filter(|e| e.is_booking())
    }
}

/// What a search found, and with what distance the DoS searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DosAnswer {
    pub services: Vec<FoundService>,
    pub search_distance_km: Option<u32>,
    /// The DoS's transaction id, which its support desk asks for.
    pub transaction_id: Option<String>,
}

/// A search for services by need: the SOAP API today, the FHIR DoS Search API later.
pub trait ServiceSearch: Send + Sync {
    fn search<'a>(
        &'a self,
        need: &'a CareNeed,
        at: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = Result<DosAnswer>> + Send + 'a>>;
}

/// The account the desk searches with (`userInfo`): the password lives in the OS keyring.
pub struct DosAccount {
    pub username: String,
    pub password: crate::secrets::Secret,
}

/// The CheckCapacitySummary request body for `need`.
pub fn check_capacity_summary(need: &CareNeed, account: &DosAccount) -> String {
    let (age, age_format) = need.age.wire();
    let mut c = String::new();
    let mut field = |name: &str, value: &str| {
        c.push_str(&format!("<web:{name}>{}</web:{name}>", xml::escape(value)));
    };
    field("postcode", need.postcode.trim());
    if let Some(s) = &need.surgery {
        field("surgery", s);
    }
    field("age", &age.to_string());
    field("ageFormat", age_format);
    if let Some(d) = need.disposition {
        field("disposition", &d.to_string());
    }
    if let Some(sg) = need.symptom_group {
        field("symptomGroup", &sg.to_string());
    }
    let discriminators: String = need
        .symptom_discriminators
        .iter()
        .map(|d| format!("<web:int>{d}</web:int>"))
        .collect();
    if !discriminators.is_empty() {
        c.push_str(&format!(
            "<web:symptomDiscriminatorList>{discriminators}</web:symptomDiscriminatorList>"
        ));
    }
    if let Some(d) = need.search_distance_km {
        c.push_str(&format!("<web:searchDistance>{d}</web:searchDistance>"));
    }
    c.push_str(&format!("<web:gender>{}</web:gender>", need.sex.wire()));
    if let Some(at) = need.search_at {
        c.push_str(&format!(
            "<web:searchDateTime>{}</web:searchDateTime>",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENVELOPE}" xmlns:web="{NAMESPACE}"><soap:Header><web:serviceVersion>{SERVICE_VERSION}</web:serviceVersion></soap:Header><soap:Body><web:CheckCapacitySummary><web:userInfo><web:username>{}</web:username><web:password>{}</web:password></web:userInfo><web:c>{c}</web:c></web:CheckCapacitySummary></soap:Body></soap:Envelope>"#,
        xml::escape(&account.username),
        xml::escape(account.password.expose()),
    )
}

/// The SOAP action of CheckCapacitySummary, given in the content type for SOAP 1.2.
pub fn check_capacity_summary_action() -> String {
    format!("{NAMESPACE}/CheckCapacitySummary")
}

/// The ServiceDetailsById request: a service's endpoints by its DoS id or ODS code
/// (soap_api_sdbid_1_5).
pub fn service_details_by_id(service: &str, account: &DosAccount) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENVELOPE}" xmlns:web="{NAMESPACE}"><soap:Header><web:serviceVersion>{SERVICE_VERSION}</web:serviceVersion></soap:Header><soap:Body><web:ServiceDetailsById><web:userInfo><web:username>{}</web:username><web:password>{}</web:password></web:userInfo><web:serviceId>{}</web:serviceId></web:ServiceDetailsById></soap:Body></soap:Envelope>"#,
        xml::escape(&account.username),
        xml::escape(account.password.expose()),
        xml::escape(service.trim()),
    )
}

pub fn service_details_by_id_action() -> String {
    format!("{NAMESPACE}/ServiceDetailsById")
}

/// Reads a ServiceDetailsById answer: each service's id, ODS code and endpoints (no name or
/// address: the method gives none).
pub fn read_details(status: u16, body: &[u8]) -> Result<Vec<FoundService>> {
    let root = soap_root(status, body)?;
    let Some(response) = root.find("ServiceDetailsByIdResponse") else {
        return Err(not_an_answer(status));
    };
    Ok(response
        .find("services")
        .map(|list| {
            list.children
                .iter()
                .filter_map(|s| {
                    let dos_id = s.text_of("id")?.to_string();
                    Some(FoundService {
                        name: unnamed(&dos_id),
                        dos_id,
                        public_name: None,
                        ods: s.text_of("odsCode").map(str::to_ascii_uppercase),
                        service_type: None,
                        address: None,
                        postcode: None,
                        distance_miles: None,
                        phone: None,
                        professional_phone: None,
                        referral_information: None,
                        open_all_hours: false,
                        open_now: None,
                        capacity: None,
                        endpoints: s
                            .child("serviceEndpoints")
                            .map(|e| e.children.iter().filter_map(endpoint).collect())
                            .unwrap_or_default(),
                        requires_booking: false,
                    })
                })
                .collect()
        })
        .unwrap_or_default())
}

/// What a service the DoS gave no name for is called: ServiceDetailsById gives none.
pub fn unnamed(dos_id: &str) -> String {
    format!("DoS service {dos_id}")
}

/// The SOAP message's root, or the fault it carries as an error.
fn soap_root(status: u16, body: &[u8]) -> Result<Element> {
    let root = xml::parse(body).map_err(|e| {
        Error::new(ErrorKind::MalformedResponse)
            .with_message(format!(
                "{DOS} answered with something that is not a SOAP message ({}).",
                e.0
            ))
            .with_next_step(
                "Try again in a minute; if it happens again, find the service by phone.",
            )
            .with_status(status)
    })?;
    if let Some(fault) = root.find("Fault") {
        return Err(fault_error(fault, status));
    }
    Ok(root)
}

fn not_an_answer(status: u16) -> Error {
    Error::new(ErrorKind::MalformedResponse)
        .with_message(format!("{DOS} answered without the list asked for."))
        .with_next_step("Try again in a minute; if it happens again, find the service by phone.")
        .with_status(status)
}

/// Reads a CheckCapacitySummary answer: the services in the DoS's order, or the fault as an
/// error a call handler can act on. `at` is the search's time, for "open now".
pub fn read_answer(status: u16, body: &[u8], at: DateTime<Utc>) -> Result<DosAnswer> {
    let root = soap_root(status, body)?;
    let Some(response) = root.find("CheckCapacitySummaryResponse") else {
        return Err(not_an_answer(status));
    };
    let list = response
        .find("CheckCapacitySummaryResult")
        .map(|r| r.children.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let services = list
        .into_iter()
        .filter_map(|s| destination(s, at))
        .collect();
    Ok(DosAnswer {
        services,
        search_distance_km: response
            .text_of("SearchDistance")
            .and_then(|d| d.parse().ok()),
        transaction_id: response
            .text_of("TransactionId")
            .or_else(|| response.text_of("TransactionID"))
            .map(str::to_string),
    })
}

/// One service; `None` when it has no id (nothing could be done with it).
fn destination(s: &Element, at: DateTime<Utc>) -> Option<FoundService> {
    let text = |name: &str| s.text_of(name).map(str::to_string);
    let dos_id = text("id")?;
    let endpoints = s
        .child("serviceEndpoints")
        .map(|e| e.children.iter().filter_map(endpoint).collect())
        .unwrap_or_default();
    let open_all_hours = s.text_of("openAllHours") == Some("true");
    let attributes: Vec<&Element> = s
        .child("attributes")
        .map(|a| a.children.iter().collect())
        .unwrap_or_default();
    let requires_booking = attributes.iter().any(|a| {
        a.text_of("name")
            .is_some_and(|n| n.eq_ignore_ascii_case("requirebooking"))
            && a.text_of("value")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    });
    Some(FoundService {
        dos_id,
        name: text("name").unwrap_or_default(),
        public_name: text("publicName"),
        ods: text("odsCode").map(|c| c.to_ascii_uppercase()),
        service_type: s
            .child("serviceType")
            .and_then(|t| t.text_of("name"))
            .map(str::to_string),
        address: text("address"),
        postcode: text("postcode"),
        distance_miles: s.text_of("distance").and_then(|d| d.parse().ok()),
        phone: text("contactDetails"),
        professional_phone: text("nonPublicTelephoneNo"),
        referral_information: text("referralInformation"),
        open_now: if open_all_hours {
            Some(true)
        } else {
            open_at(s, at)
        },
        open_all_hours,
        capacity: text("capacity"),
        endpoints,
        requires_booking,
    })
}

fn endpoint(e: &Element) -> Option<DosEndpoint> {
    Some(DosEndpoint {
        order: e.text_of("endpointOrder").and_then(|o| o.parse().ok()),
        transport: e.text_of("transport")?.to_string(),
        format: e.text_of("format").unwrap_or_default().to_string(),
        interaction: e.text_of("interaction").unwrap_or_default().to_string(),
        business_scenario: e.text_of("businessScenario").map(str::to_string),
        address: e.text_of("address")?.to_string(),
    })
}

/// Whether the service is open at `at` (UK time); `None` when the DoS gives no opening times.
///
/// CheckCapacitySummary v1.5 (WSDL): `openTimeSpecifiedSessions` are exceptions that override
/// the rota for their date ("DD-MM-YYYY-hh:mm-hh:mm", `00:00-00:00` closed all day, field
/// definitions v1.5); `rotaSessions` is the regular week, from `startDayOfWeek startTime` to
/// `endDayOfWeek endTime`, a session marked `Closed` closing it, with `Bankholiday` a day of its
/// own that gives the opening on bank holidays — on one, only those sessions count, and a rota
/// without any has the service closed.
fn open_at(service: &Element, at: DateTime<Utc>) -> Option<bool> {
    let local = at.with_timezone(&chrono_tz::Europe::London);
    if let Some(open) = service
        .child("openTimeSpecifiedSessions")
        .and_then(|list| open_on_specified(list, local.date_naive(), local.time()))
    {
        return Some(open);
    }
    let rota = service.child("rotaSessions")?;
    let holiday = super::bank_holidays::is_bank_holiday(local.date_naive());
    let now = minute_of_week(local.weekday(), local.time());
    let mut any = false;
    let mut open = false;
    for session in &rota.children {
        let (Some(start_day), Some(end_day)) = (
            session.text_of("startDayOfWeek").map(day),
            session.text_of("endDayOfWeek").map(day),
        ) else {
            continue;
        };
        let (Some(start), Some(end)) = (
            session.child("startTime").and_then(time_of_day),
            session.child("endTime").and_then(time_of_day),
        ) else {
            continue;
        };
        any = true;
        let inside = match (start_day, end_day) {
            (Day::BankHoliday, _) | (_, Day::BankHoliday) => {
                holiday && (start..end).contains(&local.time())
            }
            (Day::Week(_), Day::Week(_)) if holiday => false,
            (Day::Week(start_day), Day::Week(end_day)) => {
                let from = minute_of_week(start_day, start);
                let to = minute_of_week(end_day, end);
                if from <= to {
                    (from..to).contains(&now)
                } else {
                    // Over the week's end (Saturday night into Sunday).
                    now >= from || now < to
                }
            }
            (Day::Unknown, _) | (_, Day::Unknown) => false,
        };
        if inside {
            if session
                .text_of("status")
                .is_some_and(|s| s.eq_ignore_ascii_case("closed"))
            {
                return Some(false);
            }
            open = true;
        }
    }
    any.then_some(open)
}

/// The exceptional sessions given for `date`, if any: whether one has the service open at
/// `time`. A session of `00:00-00:00` is the service closed that day.
fn open_on_specified(
    list: &Element,
    date: chrono::NaiveDate,
    time: chrono::NaiveTime,
) -> Option<bool> {
    let mut today = list
        .children
        .iter()
        .map(|e| e.text.as_str())
        .filter_map(specified_session)
        .filter(|(d, _, _)| *d == date)
        .peekable();
    today.peek()?;
    Some(today.any(|(_, from, to)| from != to && (from..to).contains(&time)))
}

/// "DD-MM-YYYY-hh:mm-hh:mm" as its date and times (24:00 is the day's end).
fn specified_session(
    text: &str,
) -> Option<(chrono::NaiveDate, chrono::NaiveTime, chrono::NaiveTime)> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [d, m, y, from, to] = parts.as_slice() else {
        return None;
    };
    let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    let clock = |t: &str| {
        let (h, min) = t.split_once(':')?;
        let (h, min): (u32, u32) = (h.parse().ok()?, min.parse().ok()?);
        if h == 24 && min == 0 {
            return chrono::NaiveTime::from_hms_opt(23, 59, 59);
        }
        chrono::NaiveTime::from_hms_opt(h, min, 0)
    };
    Some((date, clock(from)?, clock(to)?))
}

/// A rota session's day: a weekday, or the bank holiday "day".
#[derive(Clone, Copy)]
enum Day {
    Week(chrono::Weekday),
    BankHoliday,
    Unknown,
}

fn day(name: &str) -> Day {
    if name.eq_ignore_ascii_case("bankholiday") {
        return Day::BankHoliday;
    }
    name.parse().map_or(Day::Unknown, Day::Week)
}

fn time_of_day(e: &Element) -> Option<chrono::NaiveTime> {
    let h: u32 = e.text_of("hours")?.parse().ok()?;
    let m: u32 = e.text_of("minutes")?.parse().ok()?;
    // 24:00 ends a day.
    if h == 24 && m == 0 {
        return chrono::NaiveTime::from_hms_opt(23, 59, 59);
    }
    chrono::NaiveTime::from_hms_opt(h, m, 0)
}

fn minute_of_week(d: chrono::Weekday, t: chrono::NaiveTime) -> u32 {
    use chrono::Timelike;
    d.num_days_from_sunday() * 24 * 60 + t.hour() * 60 + t.minute()
}

/// A SOAP fault in the DoS's words, with what to do next (soap_api_errors_1_5).
fn fault_error(fault: &Element, status: u16) -> Error {
    let code = fault
        .find("Code")
        .and_then(|c| c.text_of("Value"))
        .map(str::to_string);
    let reason = fault
        .find("Reason")
        .and_then(|r| r.text_of("Text"))
        .unwrap_or("no reason given")
        .to_string();
    let (kind, message, next) = match code.as_deref() {
        Some("101") => (
            ErrorKind::InvalidInput,
            "The Directory of Services does not know that postcode.".to_string(),
            "Check the postcode with the caller.",
        ),
        Some("102") => (
            ErrorKind::NotFound,
            "The Directory of Services found no service for this need near that postcode."
                .to_string(),
            "Check the postcode (the patient may be outside England); otherwise refer as the triage outcome says.",
        ),
        Some("103") => (
            ErrorKind::UnknownService,
            "The Directory of Services has no service with that id or ODS code.".to_string(),
            "Check the DoS service id or ODS code, or find the service by the patient's need.",
        ),
        Some("104" | "120") => (
            ErrorKind::InvalidInput,
            "The Directory of Services does not accept that symptom group and discriminator."
                .to_string(),
            "Check the triage outcome's symptom group and discriminator.",
        ),
        Some("121") => (
            ErrorKind::InvalidInput,
            "The Directory of Services does not know that disposition.".to_string(),
            "Check the triage outcome's disposition code.",
        ),
        Some("105" | "106" | "113" | "114" | "115" | "116" | "117" | "118" | "119") => (
            ErrorKind::InvalidInput,
            format!("The Directory of Services refused the search: {reason}"),
            "Correct the search details and try again.",
        ),
        Some("302" | "303" | "300") => (
            ErrorKind::AccessDenied,
            "The Directory of Services refused the desk's account.".to_string(),
            "Ask your system administrator to check the DoS username and the password in the keyring.",
        ),
        _ => (
            ErrorKind::ProviderError,
            format!("The Directory of Services could not search: {reason}"),
            "Try again in a minute; if it happens again, find the service by phone.",
        ),
    };
    let mut e = Error::new(kind)
        .with_message(message)
        .with_next_step(next)
        .with_status(status)
        .with_diagnostics(reason);
    if let Some(code) = code {
        e = e.with_code(code);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn need() -> CareNeed {
        CareNeed {
            postcode: "LS1 4AP".into(),
            age: Age::Years(44),
            sex: Sex::Female,
            disposition: Some(1005),
            symptom_group: Some(1011),
            symptom_discriminators: vec![4003],
            search_distance_km: Some(25),
            surgery: Some("B86001".into()),
            search_at: None,
        }
    }

    #[test]
    fn ages_take_the_format_the_dos_accepts() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let on =
            |y, m, d| Age::on(NaiveDate::from_ymd_opt(y, m, d).expect("date"), today).expect("age");
        assert_eq!(on(1982, 12, 8), Age::Years(43));
        assert_eq!(on(1982, 12, 7), Age::Years(44));
        assert_eq!(on(2025, 1, 1), Age::Months(23));
        assert_eq!(on(2026, 11, 7), Age::Months(1));
        assert_eq!(on(2026, 11, 20), Age::Days(17));
        assert!(Age::on(NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"), today).is_err());
    }

    #[test]
    fn the_request_carries_the_need_and_escapes_what_is_typed() {
        let account = DosAccount {
            username: "desk<1>".into(),
            password: crate::secrets::Secret::new("p&ss"),
        };
        let body = check_capacity_summary(&need(), &account);
        let root = xml::parse(body.as_bytes()).expect("well-formed");
        let c = root.find("c").expect("case");
        assert_eq!(c.text_of("postcode"), Some("LS1 4AP"));
        assert_eq!(c.text_of("age"), Some("44"));
        assert_eq!(c.text_of("ageFormat"), Some("Years"));
        assert_eq!(c.text_of("disposition"), Some("1005"));
        assert_eq!(c.text_of("gender"), Some("F"));
        assert_eq!(c.text_of("surgery"), Some("B86001"));
        assert_eq!(
            c.find("symptomDiscriminatorList")
                .and_then(|l| l.text_of("int")),
            Some("4003")
        );
        assert_eq!(
            root.find("username").map(|u| u.text.as_str()),
            Some("desk<1>")
        );
        assert_eq!(root.find("password").map(|u| u.text.as_str()), Some("p&ss"));
        assert_eq!(
            root.find("serviceVersion").map(|u| u.text.as_str()),
            Some("1.5")
        );
    }

    #[test]
    fn an_answer_reads_in_order_with_endpoints_distance_and_opening() {
        let body = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<ns1:CheckCapacitySummaryResponse xmlns:ns1="https://nww.pathwaysdos.nhs.uk/app/api/webservices">
<ns1:TransactionId>t-1</ns1:TransactionId><ns1:SearchDistance>60</ns1:SearchDistance>
<ns1:CheckCapacitySummaryResult>
<ns1:ServiceCareSummaryDestination><ns1:id>2000100101</ns1:id><ns1:capacity>High</ns1:capacity><ns1:name>Calder UTC</ns1:name>
<ns1:contactDetails>0113 000 0000</ns1:contactDetails><ns1:serviceType><ns1:id>130</ns1:id><ns1:name>Urgent Treatment Centre</ns1:name></ns1:serviceType>
<ns1:odsCode>rxf01</ns1:odsCode><ns1:distance>2.4</ns1:distance><ns1:openAllHours>false</ns1:openAllHours>
<ns1:serviceEndpoints><ns1:endpoint><ns1:endpointOrder>1</ns1:endpointOrder><ns1:transport>http</ns1:transport><ns1:format>FHIR</ns1:format><ns1:interaction>Scheduling</ns1:interaction><ns1:businessScenario>Primary</ns1:businessScenario><ns1:address>ODS:RXF01</ns1:address></ns1:endpoint></ns1:serviceEndpoints>
<ns1:rotaSessions><ns1:serviceCareItemRotaSession><ns1:startDayOfWeek>Monday</ns1:startDayOfWeek><ns1:startTime><ns1:hours>8</ns1:hours><ns1:minutes>0</ns1:minutes></ns1:startTime><ns1:endDayOfWeek>Monday</ns1:endDayOfWeek><ns1:endTime><ns1:hours>18</ns1:hours><ns1:minutes>30</ns1:minutes></ns1:endTime><ns1:status>Open</ns1:status></ns1:serviceCareItemRotaSession></ns1:rotaSessions>
</ns1:ServiceCareSummaryDestination>
<ns1:ServiceCareSummaryDestination><ns1:id>2000200202</ns1:id><ns1:capacity>Low</ns1:capacity><ns1:name>Town Pharmacy</ns1:name><ns1:openAllHours>true</ns1:openAllHours></ns1:ServiceCareSummaryDestination>
</ns1:CheckCapacitySummaryResult></ns1:CheckCapacitySummaryResponse></env:Body></env:Envelope>"#;
        // Monday 7 December 2026, 09:00 in London (GMT).
        let monday_morning = Utc
            .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("instant");
        let a = read_answer(200, body.as_bytes(), monday_morning).expect("answer");
        assert_eq!(a.transaction_id.as_deref(), Some("t-1"));
        assert_eq!(a.search_distance_km, Some(60));
        let ids: Vec<_> = a.services.iter().map(|s| s.dos_id.as_str()).collect();
        assert_eq!(ids, ["2000100101", "2000200202"]);
        let utc = &a.services[0];
        assert_eq!(utc.ods.as_deref(), Some("RXF01"));
        assert_eq!(utc.distance_miles, Some(2.4));
        assert_eq!(utc.open_now, Some(true));
        assert_eq!(
            utc.booking_endpoints()
                .next()
                .and_then(DosEndpoint::sds_ods)
                .as_deref(),
            Some("RXF01")
        );
        assert_eq!(a.services[1].open_now, Some(true), "open all hours");
        assert!(a.services[1].booking_endpoints().next().is_none());
        let monday_night = Utc
            .with_ymd_and_hms(2026, 12, 7, 19, 0, 0)
            .single()
            .expect("instant");
        let later = read_answer(200, body.as_bytes(), monday_night).expect("answer");
        assert_eq!(later.services[0].open_now, Some(false));
    }

    /// A CheckCapacitySummary answer with one service of `inner` (its rota and exceptions).
    fn one_service(inner: &str) -> String {
        format!(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<ns1:CheckCapacitySummaryResponse xmlns:ns1="https://nww.pathwaysdos.nhs.uk/app/api/webservices"><ns1:CheckCapacitySummaryResult>
<ns1:ServiceCareSummaryDestination><ns1:id>2000100101</ns1:id><ns1:capacity>High</ns1:capacity><ns1:name>Calder UTC</ns1:name>
<ns1:openAllHours>false</ns1:openAllHours>{inner}</ns1:ServiceCareSummaryDestination>
</ns1:CheckCapacitySummaryResult></ns1:CheckCapacitySummaryResponse></env:Body></env:Envelope>"#
        )
    }

    fn session(day: &str, from: (u32, u32), to: (u32, u32)) -> String {
        format!(
            "<ns1:serviceCareItemRotaSession><ns1:startDayOfWeek>{day}</ns1:startDayOfWeek><ns1:startTime><ns1:hours>{}</ns1:hours><ns1:minutes>{}</ns1:minutes></ns1:startTime><ns1:endDayOfWeek>{day}</ns1:endDayOfWeek><ns1:endTime><ns1:hours>{}</ns1:hours><ns1:minutes>{}</ns1:minutes></ns1:endTime><ns1:status>Open</ns1:status></ns1:serviceCareItemRotaSession>",
            from.0, from.1, to.0, to.1
        )
    }

    fn open_now(body: &str, at: DateTime<Utc>) -> Option<bool> {
        read_answer(200, body.as_bytes(), at)
            .expect("answer")
            .services[0]
            .open_now
    }

    #[test]
    fn bank_holidays_follow_the_rotas_own_day_and_exceptions_override_the_rota() {
        let at = |m, d, h| {
            Utc.with_ymd_and_hms(2026, m, d, h, 0, 0)
                .single()
                .expect("instant")
        };
        let weekdays: String = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
            .iter()
            .map(|d| session(d, (8, 0), (18, 30)))
            .collect();
        // A practice open on weekdays and never on bank holidays: Monday 28 December 2026 is the
        // Boxing Day holiday, Monday 7 December an ordinary Monday.
        let practice = one_service(&format!("<ns1:rotaSessions>{weekdays}</ns1:rotaSessions>"));
        assert_eq!(open_now(&practice, at(12, 7, 10)), Some(true));
        assert_eq!(open_now(&practice, at(12, 28, 10)), Some(false));
        // A centre that opens 10:00-16:00 on bank holidays.
        let centre = one_service(&format!(
            "<ns1:rotaSessions>{weekdays}{}</ns1:rotaSessions>",
            session("Bankholiday", (10, 0), (16, 0))
        ));
        assert_eq!(
            open_now(&centre, at(12, 28, 9)),
            Some(false),
            "before its holiday hours"
        );
        assert_eq!(open_now(&centre, at(12, 28, 11)), Some(true));
        assert_eq!(
            open_now(&centre, at(12, 7, 9)),
            Some(true),
            "a Monday's hours, not the holiday's"
        );
        // Exceptions for their date only: closed all day on the 7th, open late on the 8th.
        let exceptions = one_service(&format!(
            "<ns1:rotaSessions>{weekdays}</ns1:rotaSessions><ns1:openTimeSpecifiedSessions><ns1:openTimeSpecified>07-12-2026-00:00-00:00</ns1:openTimeSpecified><ns1:openTimeSpecified>08-12-2026-08:00-22:00</ns1:openTimeSpecified></ns1:openTimeSpecifiedSessions>"
        ));
        assert_eq!(open_now(&exceptions, at(12, 7, 10)), Some(false));
        assert_eq!(open_now(&exceptions, at(12, 8, 20)), Some(true));
        assert_eq!(
            open_now(&exceptions, at(12, 9, 20)),
            Some(false),
            "the rota again"
        );
    }

    #[test]
    fn a_fault_says_what_to_do_next() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 5, 23, 0, 0)
            .single()
            .expect("instant");
        let body = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>101</env:Value></env:Code><env:Reason><env:Text>Postcode Validation: Postcode not found</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;
        let e = read_answer(500, body.as_bytes(), at).expect_err("fault");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert_eq!(e.code.as_deref(), Some("101"));
        assert!(e.next_step.contains("postcode"), "{e:?}");
        let auth = body.replace(">101<", ">302<");
        assert_eq!(
            read_answer(500, auth.as_bytes(), at)
                .expect_err("fault")
                .kind,
            ErrorKind::AccessDenied
        );
        assert_eq!(
            read_answer(200, b"<html>", at).expect_err("not soap").kind,
            ErrorKind::MalformedResponse
        );
    }
}
