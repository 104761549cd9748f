//! The Directory of Services SOAP web service, v1.5: `CheckCapacitySummary` and
//! `ServiceDetailsById` at `/app/api/webservices` (the WSDL's `soap12:address` path).
//!
//! Sources, all in `nhsd-a2si/docs-dos-api`: WSDL `wsdl_docs/wsdl_v15.html` (element names,
//! order and types; SOAP 1.2 only); FIELDS `_pages/soap_api/ccs_field_def_v1_5.md`; LOGIC
//! `ccs_search_logic_v1_5.md`; ERRORS `soap_api_errors_v1_5.md`; AUTH `soap_auth_1_5.md`; SDBID
//! `soap_api_sdbid_v1_5.md`; OVERVIEW `soap_v1.5_overview.md` (1.5 is the default version);
//! CHANGES `summary_1.5_changes.md` (age formats, unknown SG and disposition now refused).

use super::National;
use super::directory::{self, DosEndpoint, DosService, Opening, SYMPTOM_GROUPS};
use super::dos_search::{self, Case, DEFAULT_DISTANCE_KM, Found};
use super::soap::{self, DOS_NS, Element, SOAP11_NS, SOAP12_NS, el, esc};
use crate::{DEMO_DOS_PASSWORD, DEMO_DOS_UNPRIVILEGED_USERNAME, DEMO_DOS_USERNAME};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::fmt::Write as _;
use std::sync::Arc;

pub const PATH: &str = "/app/api/webservices";
/// SOAP 1.2's media type (W3C SOAP 1.2 Part 2, HTTP binding).
const SOAP12_MEDIA: &str = "application/soap+xml";

/// A DoS fault: its code and text as ERRORS lists them.
#[derive(Debug, PartialEq, Eq)]
pub struct Fault {
    pub code: u16,
    pub text: String,
}

fn fault(code: u16, text: impl Into<String>) -> Fault {
    Fault {
        code,
        text: text.into(),
    }
}

const NOT_XML: (u16, &str) = (108, "Malformed XML: The soap message is not valid xml.");
const NO_SOAP_VERSION: (u16, &str) = (108, "Malformed XML: Unable to identify the SOAP version");

fn known(f: (u16, &str)) -> Fault {
    fault(f.0, f.1)
}

/// The operation's element inside a SOAP 1.2 body, with the envelope's header.
fn open_envelope(headers: &HeaderMap, body: &[u8]) -> Result<(Element, Option<Element>), Fault> {
    // The WSDL has only a `soap12` binding, so SOAP 1.1's `text/xml` is not a version DoS
    // answers.
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() != Some(SOAP12_MEDIA) {
        return Err(known(NO_SOAP_VERSION));
    }
    let text = std::str::from_utf8(body).map_err(|_| known(NOT_XML))?;
    let root = soap::parse(text).map_err(|_| known(NOT_XML))?;
    if root.name != "Envelope" || !matches!(root.ns.as_deref(), Some(SOAP12_NS) | Some(SOAP11_NS)) {
        return Err(known(NOT_XML));
    }
    if root.ns.as_deref() != Some(SOAP12_NS) {
        return Err(known(NO_SOAP_VERSION));
    }
    let in_env = |name: &str| {
        root.children
            .iter()
            .find(|c| c.name == name && c.ns.as_deref() == Some(SOAP12_NS))
            .cloned()
    };
    let body = in_env("Body").ok_or_else(|| known(NOT_XML))?;
    let op = body
        .children
        .into_iter()
        .find(|c| c.ns.as_deref() == Some(DOS_NS))
        .ok_or_else(|| known(NOT_XML))?;
    Ok((op, in_env("Header")))
}

/// AUTH and LOGIC "Authenticate User".
fn authenticate(op: &Element) -> Result<(), Fault> {
    let user = op.child("userInfo");
    let (Some(name), Some(password)) = (
        user.and_then(|u| u.text_of("username")),
        user.and_then(|u| u.text_of("password")),
    ) else {
        return Err(fault(
            1001,
            "Request Validation: Unable to locate username and password in the request",
        ));
    };
    if password != DEMO_DOS_PASSWORD
        || (name != DEMO_DOS_USERNAME && name != DEMO_DOS_UNPRIVILEGED_USERNAME)
    {
        return Err(fault(
            302,
            "Authentication Failed: Please check user credentials (username/password) or check \
             whether the user account is locked (use password reset to unlock)",
        ));
    }
    if name == DEMO_DOS_UNPRIVILEGED_USERNAME {
        // AUTH "Permissions": a valid account without the webService permission.
        return Err(fault(
            303,
            "Incorrect Privileges: Please check that the user has the correct privileges to run \
             this service",
        ));
    }
    Ok(())
}

/// LOGIC "Validate API version" and OVERVIEW: none given means the default, 1.5; the simulator
/// plays no other.
fn check_version(header: Option<&Element>) -> Result<(), Fault> {
    let given = header
        .and_then(|h| h.text_of("serviceVersion"))
        .filter(|v| !v.is_empty());
    match given {
        None | Some("1.5") => Ok(()),
        Some(_) => Err(fault(
            107,
            "WSDL Validation: Unsupported Webservice version",
        )),
    }
}

fn text<'a>(c: &'a Element, name: &str) -> Option<&'a str> {
    c.text_of(name).filter(|t| !t.is_empty())
}

/// LOGIC "Validate Search Distance": the simulator holds no per-postcode distances, so a
/// forced or given distance is used, else the national default.
fn distance(c: &Element) -> Result<(i64, &'static str), Fault> {
    let force = matches!(text(c, "forceSearchDistance"), Some("true" | "1"));
    let Some(given) = text(c, "searchDistance") else {
        if force {
            return Err(fault(
                113,
                "Parameter Validation: where the distance override value is true, a distance \
                 value must be provided",
            ));
        }
        return Ok((DEFAULT_DISTANCE_KM, "National"));
    };
    match given.parse::<i64>() {
        Ok(km) if (1..=99).contains(&km) => {
            Ok((km, if force { "Override" } else { "Web Service" }))
        }
        _ => Err(fault(
            105,
            "Parameter Validation: Search distance must be greater than 0km and less than \
             maximum system distance.",
        )),
    }
}

/// LOGIC "Match Gender": default I; anything but M, F or I is refused. Every service here is
/// profiled for all three, so the value then matches.
fn gender(c: &Element) -> Result<(), Fault> {
    match text(c, "gender") {
        None | Some("M" | "F" | "I") => Ok(()),
        Some(_) => Err(fault(
            106,
            "Parameter Validation: Invalid gender supplied - supported values: M, F, I",
        )),
    }
}

/// LOGIC "Match Symptom Group" and CHANGES: none given is no error (it matches nothing); one
/// DoS does not know is refused.
fn symptom_group(c: &Element) -> Result<Option<i64>, Fault> {
    let Some(t) = text(c, "symptomGroup") else {
        return Ok(None);
    };
    let not_found = || {
        fault(
            120,
            "Parameter Validation: Symptom Group could not be found",
        )
    };
    let sg: i64 = t.parse().map_err(|_| not_found())?;
    SYMPTOM_GROUPS
        .iter()
        .any(|(g, _)| *g == sg)
        .then_some(Some(sg))
        .ok_or_else(not_found)
}

/// LOGIC "Match Symptom Discriminator": null or malformed refused, duplicates and SDs not
/// valid with the SG dropped; none left is refused.
fn discriminators(c: &Element, sg: Option<i64>) -> Result<Vec<i64>, Fault> {
    let refuse = || {
        fault(
            104,
            "Parameter Validation: No valid discriminators passed/SGSD combo not valid",
        )
    };
    let list = c.child("symptomDiscriminatorList").ok_or_else(refuse)?;
    let mut sds: Vec<i64> = Vec::new();
    for i in list.all("int") {
        let sd: i64 = i.text.trim().parse().map_err(|_| refuse())?;
        if !sds.contains(&sd) {
            sds.push(sd);
        }
    }
    if let Some(sg) = sg {
        let valid = SYMPTOM_GROUPS
            .iter()
            .find(|(g, _)| *g == sg)
            .map_or(&[][..], |(_, v)| *v);
        sds.retain(|sd| valid.contains(sd));
    }
    if sds.is_empty() {
        return Err(refuse());
    }
    Ok(sds)
}

/// LOGIC "Match Disposition" and CHANGES: none matches all; malformed or unknown is refused.
fn disposition(c: &Element) -> Result<Option<&'static directory::Disposition>, Fault> {
    let Some(t) = text(c, "disposition") else {
        return Ok(None);
    };
    let not_found = || fault(121, "Parameter Validation: Disposition not found");
    let id: i64 = t.parse().map_err(|_| not_found())?;
    directory::disposition(id).map(Some).ok_or_else(not_found)
}

/// LOGIC "Check Age Format and Match on Age" and CHANGES: months and years become days,
/// rounded down (1 month = 30.4375 days, 1 year = 365.25); an age group spans its years.
/// Returns the range of days and, for an exact age, the days to report.
fn age(c: &Element) -> Result<((f64, f64), Option<i64>), Fault> {
    let format = text(c, "ageFormat");
    if !matches!(format, Some("Days" | "Months" | "Years" | "AgeGroup")) {
        return Err(fault(
            119,
            "Parameter Validation: Invalid age format supplied - supported values Years, \
             Months, Days, AgeGroup",
        ));
    }
    let value: i64 = text(c, "age").and_then(|t| t.parse().ok()).ok_or_else(|| {
        fault(
            114,
            "Parameter Validation: Invalid age supplied - mandatory field, only whole numbers \
             allowed",
        )
    })?;
    let exact = |days: f64| Ok(((days, days), Some(days as i64)));
    match format {
        Some("Days") if (0..=31).contains(&value) => exact(value as f64),
        Some("Days") => Err(fault(
            115,
            "Parameter Validation: Invalid age value supplied. Supported values where Days \
             format is used are numbers between 0-31",
        )),
        Some("Months") if (1..=23).contains(&value) => exact((value as f64 * 30.4375).floor()),
        Some("Months") => Err(fault(
            116,
            "Parameter Validation: Invalid age value supplied. Supported values where Months \
             format is used are whole numbers between 1-23",
        )),
        Some("Years") if (2..=129).contains(&value) => exact((value as f64 * 365.25).floor()),
        Some("Years") => Err(fault(
            117,
            "Parameter Validation: Invalid age value supplied. Supported values where Years \
             format is used are whole numbers between 2-129",
        )),
        _ => {
            let years = match value {
                4 => (0.0, 1.0),
                3 => (1.0, 5.0),
                2 => (5.0, 16.0),
                1 => (16.0, 130.0),
                _ => {
                    return Err(fault(
                        118,
                        "Parameter Validation: Invalid age value supplied. Supported values \
                         where AgeGroup is used are: 1, 2, 3, 4",
                    ));
                }
            };
            Ok(((years.0 * 365.25, years.1 * 365.25 - 1.0), None))
        }
    }
}

/// FIELDS `SearchDateTime` (e.g. `2019-01-20T08:44:00+00:00`) and ERRORS 108–110: not more
/// than 12 months ahead, nor more than a minute past.
fn search_time(c: &Element, now: DateTime<Utc>) -> Result<DateTime<Utc>, Fault> {
    let Some(t) = text(c, "searchDateTime") else {
        return Ok(now);
    };
    let when = DateTime::parse_from_rfc3339(t)
        .map_err(|_| fault(108, "Parameter Validation: Search date and time is invalid"))?
        .with_timezone(&Utc);
    if when > now + Duration::days(365) {
        return Err(fault(
            109,
            format!("Parameter Validation: searchDateTime ({t}) more than 12 months in future"),
        ));
    }
    if when < now - Duration::minutes(1) {
        return Err(fault(
            110,
            format!("Parameter Validation: searchDateTime ({t}) more than 1 minute in the past"),
        ));
    }
    Ok(when)
}

/// What the answer reports besides the services.
struct Reported {
    distance_km: i64,
    source: &'static str,
    age_in_days: Option<i64>,
}

/// The case of a request, checked in LOGIC's order (distance, postcode, then the pipelines).
fn read_case(op: &Element, now: DateTime<Utc>) -> Result<(Case, Reported), Fault> {
    let c = op.child("c").ok_or_else(|| known(NOT_XML))?;
    let (distance_km, source) = distance(c)?;
    let postcode = text(c, "postcode")
        .and_then(directory::postcode)
        .ok_or_else(|| fault(101, "Postcode Validation: Postcode not found"))?;
    gender(c)?;
    let symptom_group = symptom_group(c)?;
    let discriminators = discriminators(c, symptom_group)?;
    let disposition = disposition(c)?;
    let (age_days, age_in_days) = age(c)?;
    let when = search_time(c, now)?;
    // FIELDS `surgery`: "You can use 'UNK' if not known".
    let surgery = text(c, "surgery")
        .filter(|s| *s != "UNK")
        .map(str::to_string);
    Ok((
        Case {
            postcode,
            surgery,
            age_days,
            disposition,
            symptom_group,
            discriminators,
            distance_km,
            when,
        },
        Reported {
            distance_km,
            source,
            age_in_days,
        },
    ))
}

fn write_endpoints(out: &mut String, endpoints: &[DosEndpoint]) {
    out.push_str("<ns1:serviceEndpoints>");
    for e in endpoints {
        out.push_str("<ns1:endpoint>");
        el(out, "endpointOrder", &e.order.to_string());
        el(out, "transport", e.transport);
        el(out, "format", e.format);
        el(out, "interaction", e.interaction);
        el(out, "businessScenario", e.business_scenario);
        el(out, "address", &e.address);
        el(out, "compression", e.compression);
        el(out, "comment", e.comment);
        out.push_str("</ns1:endpoint>");
    }
    out.push_str("</ns1:serviceEndpoints>");
}

const DAYS: [&str; 8] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Bankholiday",
];

/// WSDL `ServiceCareItemRotaSession`; LOGIC: sessions never pass midnight, so a day's end is
/// written 23:59.
fn write_rota(out: &mut String, opening: &Opening) {
    let Opening::Rota(sessions) = opening else {
        return;
    };
    out.push_str("<ns1:rotaSessions>");
    for s in sessions {
        let day = DAYS[s.day as usize % DAYS.len()];
        let end = s.end.min(23 * 60 + 59);
        let _ = write!(
            out,
            "<ns1:serviceCareItemRotaSession><ns1:startDayOfWeek>{day}</ns1:startDayOfWeek>\
             <ns1:startTime><ns1:hours>{}</ns1:hours><ns1:minutes>{}</ns1:minutes></ns1:startTime>\
             <ns1:endDayOfWeek>{day}</ns1:endDayOfWeek>\
             <ns1:endTime><ns1:hours>{}</ns1:hours><ns1:minutes>{}</ns1:minutes></ns1:endTime>\
             <ns1:status>Open</ns1:status></ns1:serviceCareItemRotaSession>",
            s.start / 60,
            s.start % 60,
            end / 60,
            end % 60
        );
    }
    out.push_str("</ns1:rotaSessions>");
}

/// One `serviceCareSummaryDestination`, its elements in the WSDL's order.
fn write_destination(out: &mut String, f: &Found) {
    let s: &DosService = f.service;
    let grid = directory::postcode(&s.postcode);
    out.push_str("<ns1:serviceCareSummaryDestination>");
    el(out, "id", &s.id);
    el(out, "capacity", s.capacity.as_str());
    el(out, "name", &f.display_name());
    if let Some(p) = &s.public_name {
        el(out, "publicName", p);
    }
    el(out, "contactDetails", &s.phone);
    el(out, "address", &s.address);
    el(out, "postcode", &s.postcode);
    if let Some(g) = grid {
        el(out, "northings", &g.northings.to_string());
        el(out, "eastings", &g.eastings.to_string());
    }
    let _ = write!(
        out,
        "<ns1:serviceType><ns1:id>{}</ns1:id><ns1:name>{}</ns1:name></ns1:serviceType>",
        s.service_type.id,
        esc(s.service_type.name)
    );
    el(out, "odsCode", &s.ods);
    el(out, "nonPublicTelephoneNo", &s.phone);
    // WSDL: "Value in miles (mi)".
    el(out, "distance", &format!("{:.1}", f.miles()));
    el(out, "referralInformation", &s.referral_information);
    el(
        out,
        "openAllHours",
        if matches!(s.opening, Opening::AllHours) {
            "true"
        } else {
            "false"
        },
    );
    write_endpoints(out, &s.endpoints);
    write_rota(out, &s.opening);
    if !s.attributes.is_empty() {
        // `ccs_field_def_v1_5_service_attribute.md`: values are strings, typed by dataType.
        out.push_str("<ns1:attributes>");
        for (name, value) in &s.attributes {
            out.push_str("<ns1:attribute>");
            el(out, "dataType", "Boolean");
            el(out, "name", name);
            el(
                out,
                "description",
                "The service only accepts referrals with an accompanying booked appointment.",
            );
            el(out, "value", value);
            out.push_str("</ns1:attribute>");
        }
        out.push_str("</ns1:attributes>");
    }
    let _ = write!(
        out,
        "<ns1:serviceAgeRange><ns1:ageRange><ns1:daysFrom>{}</ns1:daysFrom>\
         <ns1:daysTo>{}</ns1:daysTo></ns1:ageRange></ns1:serviceAgeRange>",
        s.profile.age_days.0, s.profile.age_days.1
    );
    out.push_str("</ns1:serviceCareSummaryDestination>");
}

fn check_capacity_summary(n: &National, op: &Element, now: DateTime<Utc>) -> Result<String, Fault> {
    let (case, reported) = read_case(op, now)?;
    let found = dos_search::search(&n.directory, &case);
    if found.is_empty() {
        return Err(fault(102, "Service Search: No services found"));
    }
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut out = String::from("<ns1:CheckCapacitySummaryResponse>");
    el(&mut out, "TransactionId", &uuid::Uuid::new_v4().to_string());
    el(&mut out, "RequestedAtDateTime", &stamp(now));
    el(&mut out, "SearchDateTime", &stamp(case.when));
    if let Some(days) = reported.age_in_days {
        el(&mut out, "CalculatedAgeInDays", &days.to_string());
    }
    el(
        &mut out,
        "SearchDistance",
        &reported.distance_km.to_string(),
    );
    el(&mut out, "SearchDistanceUsedSource", reported.source);
    out.push_str("<ns1:CheckCapacitySummaryResult>");
    for f in &found {
        write_destination(&mut out, f);
    }
    out.push_str("</ns1:CheckCapacitySummaryResult></ns1:CheckCapacitySummaryResponse>");
    Ok(out)
}

/// SDBID: `serviceId` is a DoS id or an ODS code; the answer lists each matching service's id,
/// ODS code and endpoints. None found is fault 103.
fn service_details(n: &National, op: &Element) -> Result<String, Fault> {
    let id = text(op, "serviceId").unwrap_or("");
    let services: Vec<&DosService> = n
        .directory
        .dos
        .iter()
        .filter(|s| s.id == id || s.ods.eq_ignore_ascii_case(id))
        .collect();
    if services.is_empty() {
        return Err(fault(103, "Request Response: Service not found"));
    }
    let mut out = String::from("<ns1:ServiceDetailsByIdResponse><ns1:services>");
    for s in services {
        out.push_str("<ns1:service>");
        el(&mut out, "id", &s.id);
        el(&mut out, "odsCode", &s.ods);
        write_endpoints(&mut out, &s.endpoints);
        out.push_str("</ns1:service>");
    }
    out.push_str("</ns1:services></ns1:ServiceDetailsByIdResponse>");
    Ok(out)
}

fn answer(n: &National, headers: &HeaderMap, body: &[u8]) -> Result<String, Fault> {
    let (op, soap_header) = open_envelope(headers, body)?;
    authenticate(&op)?;
    check_version(soap_header.as_ref())?;
    let now = n.clock.now();
    match op.name.as_str() {
        "CheckCapacitySummary" => check_capacity_summary(n, &op, now),
        "ServiceDetailsById" => service_details(n, &op),
        other => Err(fault(
            100,
            format!("System Search failure: provider-sim does not play {other}"),
        )),
    }
}

/// `POST /app/api/webservices`. Faults are HTTP 500: SOAP 1.2's HTTP binding (W3C SOAP 1.2
/// Part 2, 7.5.1.2) answers 500 for every fault but `env:Sender`, and DoS's codes are its own.
pub async fn post(State(n): State<Arc<National>>, headers: HeaderMap, body: Bytes) -> Response {
    let media = format!("{SOAP12_MEDIA}; charset=utf-8");
    match answer(&n, &headers, &body) {
        Ok(xml) => {
            tracing::info!("DoS request answered");
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, media)],
                soap::envelope(&xml),
            )
                .into_response()
        }
        Err(f) => {
            // The fault text may echo a value sent; only the code is logged.
            tracing::info!(code = f.code, "DoS request refused");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, media)],
                soap::fault(f.code, &f.text),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(inner: &str) -> Element {
        let doc = format!("<c xmlns=\"{DOS_NS}\">{inner}</c>");
        soap::parse(&doc).expect("xml")
    }

    #[test]
    fn ages_convert_to_days_rounded_down() {
        let a = |f: &str, v: &str| {
            age(&case(&format!("<ageFormat>{f}</ageFormat><age>{v}</age>")))
                .map(|(_, d)| d)
                .map_err(|e| e.code)
        };
        assert_eq!(a("Years", "40"), Ok(Some(14610)));
        assert_eq!(a("Months", "6"), Ok(Some(182)));
        assert_eq!(a("Days", "3"), Ok(Some(3)));
        assert_eq!(a("AgeGroup", "1"), Ok(None));
        assert_eq!(a("Years", "1"), Err(117));
        assert_eq!(a("Months", "24"), Err(116));
        assert_eq!(a("Days", "32"), Err(115));
        assert_eq!(a("AgeGroup", "5"), Err(118));
        assert_eq!(a("Decades", "3"), Err(119));
        assert_eq!(a("Years", "4.5"), Err(114));
    }

    #[test]
    fn discriminators_not_valid_with_the_group_are_dropped() {
        let c = case(
            "<symptomDiscriminatorList><int>4003</int><int>4003</int><int>4193</int></symptomDiscriminatorList>",
        );
        assert_eq!(discriminators(&c, Some(1010)), Ok(vec![4003]));
        let c = case("<symptomDiscriminatorList><int>4193</int></symptomDiscriminatorList>");
        assert_eq!(discriminators(&c, Some(1010)).map_err(|e| e.code), Err(104));
        assert_eq!(
            discriminators(&case(""), Some(1010)).map_err(|e| e.code),
            Err(104)
        );
    }
}
