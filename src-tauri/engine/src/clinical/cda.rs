//! The NHS 111 encounter report as an HL7 v3 CDA document, in the style of the NHS CDA message
//! `POCD_MT200001GB02`: the patient, the author, the custodian, the triage outcome and the
//! summary as readable sections, and — once booked — the appointment it belongs to. It is built
//! from our own summary; it is not a certified rendering of every NHS CDA template.

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::summary::ClinicalSummary;
use super::text::sections;
use crate::auth::Session;
use crate::error::{Error, Result};
use crate::standards::chars::is_sendable;
use crate::views::PatientView;

/// OIDs the NHS CDA uses for the identifiers we carry.
const OID_NHS_NUMBER: &str = "2.16.840.1.113883.2.1.4.1";
const OID_SDS_USER: &str = "1.2.826.0.1285.0.2.0.65";
const OID_ODS: &str = "2.16.840.1.113883.2.1.3.2.4.19.1";
const OID_MESSAGE_TYPE: &str = "2.16.840.1.113883.2.1.3.2.4.18.17";
const OID_PATHWAYS_DX: &str = "2.16.840.1.113883.2.1.3.2.4.17.421";
/// Where the appointment's reference (its URL at the service) is written after booking.
pub const APPOINTMENT_REF_TITLE: &str = "Appointment";

/// What the report is built from.
pub struct ReportInput<'a> {
    pub report_id: Uuid,
    pub created_at: DateTime<FixedOffset>,
    pub summary: &'a ClinicalSummary,
    pub patient: &'a PatientView,
    pub session: &'a Session,
    /// The service the patient is booked into.
    pub recipient_name: &'a str,
    /// The appointment's URL at the service, without `/_history`: known only after booking.
    pub appointment_ref: Option<&'a str>,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, U+FFFE or U+FFFF at all: drop
            // them, whatever the text came from (the patient's details too).
            c if !is_sendable(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The report, if it is well-formed XML: one that is not would be refused or misread by the
/// service, so it is never sent.
pub fn checked(xml: String) -> Result<String> {
    if let Err(e) = roxmltree::Document::parse(&xml) {
        return Err(Error::invalid(format!(
            "The 111 report is not well-formed XML ({e}), so it was not sent."
        ))
        .with_next_step(
            "The booking stands and the report is kept; phone the service with anything urgent.",
        ));
    }
    Ok(xml)
}

fn ts(t: DateTime<FixedOffset>) -> String {
    t.format("%Y%m%d%H%M%S%z").to_string()
}

fn section(title: &str, lines: &[String]) -> String {
    let paragraphs: String = lines
        .iter()
        .map(|l| format!("<paragraph>{}</paragraph>", esc(l)))
        .collect();
    format!(
        "<component><section><title>{}</title><text>{paragraphs}</text></section></component>",
        esc(title)
    )
}

fn patient_xml(p: &PatientView) -> String {
    let id = p
        .nhs_number
        .as_ref()
        .map(|n| {
            format!(
                r#"<id root="{OID_NHS_NUMBER}" extension="{}"/>"#,
                esc(n.as_str())
            )
        })
        .unwrap_or_else(|| r#"<id nullFlavor="NI"/>"#.to_string());
    let address = if p.address_lines.is_empty() && p.postcode.is_none() {
        String::new()
    } else {
        let lines: String = p
            .address_lines
            .iter()
            .map(|l| format!("<streetAddressLine>{}</streetAddressLine>", esc(l)))
            .collect();
        let pc = p
            .postcode
            .as_deref()
            .map(|pc| format!("<postalCode>{}</postalCode>", esc(pc)))
            .unwrap_or_default();
        format!(r#"<addr use="H">{lines}{pc}</addr>"#)
    };
    let given: String = p
        .given
        .iter()
        .map(|g| format!("<given>{}</given>", esc(g)))
        .collect();
    let prefix = p
        .prefix
        .as_deref()
        .map(|x| format!("<prefix>{}</prefix>", esc(x)))
        .unwrap_or_default();
    let gender = match p.gender.as_deref() {
        Some("male") => "1",
        Some("female") => "2",
        Some("other") => "9",
        _ => "0",
    };
    let birth = p
        .birth_date
        .map(|d| format!(r#"<birthTime value="{}"/>"#, d.format("%Y%m%d")))
        .unwrap_or_default();
    format!(
        r#"<recordTarget typeCode="RCT" contextControlCode="OP"><patientRole classCode="PAT">{id}{address}<patient classCode="PSN" determinerCode="INSTANCE"><name use="L">{prefix}{given}<family>{}</family></name><administrativeGenderCode code="{gender}" codeSystem="2.16.840.1.113883.2.1.3.2.4.16.25"/>{birth}</patient></patientRole></recordTarget>"#,
        esc(&p.family)
    )
}

/// The report as XML text.
pub fn report(input: &ReportInput<'_>) -> String {
    let s = input.summary;
    let org = &input.session.organisation;
    let author = &s.assessed_by;
    let author_id = author
        .sds_user_id
        .as_deref()
        .map(|id| format!(r#"<id root="{OID_SDS_USER}" extension="{}"/>"#, esc(id)))
        .unwrap_or_else(|| r#"<id nullFlavor="NI"/>"#.to_string());
    let t = &s.triage;
    let mut body: String = sections(s)
        .iter()
        .map(|sec| section(sec.title, &sec.lines))
        .collect();
    // The coded disposition, so a receiving system can act on it without reading the words.
    body.push_str(&format!(
        r#"<component><section><title>Disposition</title><text><paragraph>{} ({})</paragraph></text><entry><observation classCode="OBS" moodCode="EVN"><code code="{}" codeSystem="{OID_PATHWAYS_DX}" displayName="{}"/><effectiveTime value="{}"/></observation></entry></section></component>"#,
        esc(&t.disposition_text),
        esc(&t.disposition_code),
        esc(&t.disposition_code),
        esc(&t.disposition_text),
        ts(t.assessed_at),
    ));
    if let Some(url) = input.appointment_ref {
        body.push_str(&format!(
            r#"<component><section><title>{APPOINTMENT_REF_TITLE}</title><text><paragraph>Booked at {}. Appointment reference: {}</paragraph></text><entry><encounter classCode="ENC" moodCode="APT"><id root="{}" extension="{}"/></encounter></entry></section></component>"#,
            esc(input.recipient_name),
            esc(url),
            input.report_id,
            esc(url),
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:npfitlc="NPFIT:HL7:Localisation" classCode="DOCCLIN" moodCode="EVN"><typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/><npfitlc:messageType root="{OID_MESSAGE_TYPE}" extension="POCD_MT200001GB02"/><id root="{id}"/><code code="371531000" codeSystem="2.16.840.1.113883.2.1.3.2.4.15" displayName="Report of clinical encounter"/><title>NHS 111 Report</title><effectiveTime value="{created}"/><confidentialityCode code="V" codeSystem="2.16.840.1.113883.1.11.16926" displayName="very restricted"/><setId root="{id}"/><versionNumber value="1"/>{patient}<author typeCode="AUT" contextControlCode="OP"><time value="{assessed}"/><assignedAuthor classCode="ASSIGNED">{author_id}<assignedPerson classCode="PSN" determinerCode="INSTANCE"><name>{author_name}</name></assignedPerson><representedOrganization classCode="ORG" determinerCode="INSTANCE"><id root="{OID_ODS}" extension="{ods}"/><name>{org_name}</name></representedOrganization></assignedAuthor></author><custodian typeCode="CST"><assignedCustodian classCode="ASSIGNED"><representedCustodianOrganization classCode="ORG" determinerCode="INSTANCE"><id root="{OID_ODS}" extension="{ods}"/><name>{org_name}</name></representedCustodianOrganization></assignedCustodian></custodian><informationRecipient typeCode="PRCP"><intendedRecipient classCode="ASSIGNED"><receivedOrganization classCode="ORG" determinerCode="INSTANCE"><name>{recipient}</name></receivedOrganization></intendedRecipient></informationRecipient><component typeCode="COMP" contextConductionInd="true"><structuredBody classCode="DOCBODY" moodCode="EVN">{body}</structuredBody></component></ClinicalDocument>
"#,
        id = input.report_id,
        created = ts(input.created_at),
        patient = patient_xml(input.patient),
        assessed = ts(t.assessed_at),
        author_name = esc(&author.name),
        ods = esc(org.ods.as_str()),
        org_name = esc(&org.name),
        recipient = esc(input.recipient_name),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::summary::tests::example;
    use super::*;
    use crate::auth::{Organisation, Role, SystemIdentity, User};
    use crate::ids::{Asid, NhsNumber, OdsCode};

    pub(crate) fn session() -> Session {
        Session::new(
            User {
                name: "Alex Taylor".into(),
                sds_user_id: "555021935107".into(),
                sds_role_profile_id: "UNK".into(),
                local_id: "alex.taylor".into(),
                role: Role::CallHandler,
            },
            Organisation {
                ods: OdsCode::parse("RYA").expect("ods"),
                name: "NHS 111 North West".into(),
                telecom: Some("0300 123 4567".into()),
                dos_service_id: Some("2000072489".into()),
            },
            SystemIdentity {
                asid: Asid::parse("200000000359").expect("asid"),
                endpoint: "https://desk.example/fhir".into(),
            },
            crate::auth::Proof::Unproved,
        )
        .expect("session")
    }

    pub(crate) fn patient() -> PatientView {
        PatientView {
            id: None,
            nhs_number: Some(NhsNumber::parse("9434765919").expect("nhs")),
            family: "Jackson".into(),
            given: vec!["Jane".into()],
            prefix: Some("Miss".into()),
            gender: Some("female".into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(1990, 5, 1),
            address_lines: vec!["1 Trevelyan Square & Co".into()],
            postcode: Some("LS1 6AE".into()),
            phone: None,
        }
    }

    fn build(appointment_ref: Option<&str>, summary: &ClinicalSummary) -> String {
        let session = session();
        let patient = patient();
        report(&ReportInput {
            report_id: Uuid::parse_str("5a1c0f6e-2f43-4c5e-9a53-0c7f7c2b1d11").expect("uuid"),
            created_at: DateTime::parse_from_rfc3339("2026-12-01T09:45:00+00:00").expect("t"),
            summary,
            patient: &patient,
            session: &session,
            recipient_name: "Calder Valley <UTC>",
            appointment_ref,
        })
    }

    fn text_of(doc: &roxmltree::Document<'_>, tag: &str) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag))
            .filter_map(|n| n.text().map(str::to_string))
            .collect()
    }

    #[test]
    fn the_report_is_well_formed_and_carries_patient_author_and_disposition() {
        let mut s = example();
        s.presenting_complaint = "Pain <worse> & \"sharp\"\u{7} at night".into();
        let xml = build(None, &s);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "ClinicalDocument");
        assert_eq!(root.tag_name().namespace(), Some("urn:hl7-org:v3"));
        let ids: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("id"))
            .filter_map(|n| Some((n.attribute("root")?, n.attribute("extension")?)))
            .collect();
        assert!(ids.contains(&(OID_NHS_NUMBER, "9434765919")), "{ids:?}");
        assert!(ids.contains(&(OID_SDS_USER, "555021935107")));
        assert!(ids.contains(&(OID_ODS, "RYA")));
        let dx = doc
            .descendants()
            .find(|n| n.has_tag_name("code") && n.attribute("codeSystem") == Some(OID_PATHWAYS_DX))
            .expect("coded disposition");
        assert_eq!(dx.attribute("code"), Some("Dx05"));
        let paragraphs = text_of(&doc, "paragraph");
        assert!(
            paragraphs
                .iter()
                .any(|p| p == "Pain <worse> & \"sharp\" at night"),
            "{paragraphs:?}"
        );
        assert!(paragraphs.iter().any(|p| p.starts_with("SAFEGUARDING")));
        assert!(text_of(&doc, "family").contains(&"Jackson".to_string()));
        assert!(!text_of(&doc, "title").contains(&APPOINTMENT_REF_TITLE.to_string()));
    }

    #[test]
    fn any_patient_text_still_makes_well_formed_xml() {
        let session = session();
        let mut patient = patient();
        patient.family = "Jack\u{fffe}son\u{ffff}".into();
        patient.address_lines = vec!["1 Street\u{b}\u{1b}".into()];
        let summary = example();
        let xml = report(&ReportInput {
            report_id: Uuid::nil(),
            created_at: DateTime::parse_from_rfc3339("2026-12-01T09:45:00+00:00").expect("t"),
            summary: &summary,
            patient: &patient,
            session: &session,
            recipient_name: "Calder Valley UTC",
            appointment_ref: None,
        });
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        assert!(text_of(&doc, "family").contains(&"Jackson".to_string()));
        checked(xml).expect("passes the check before sending");
    }

    #[test]
    fn a_report_that_is_not_well_formed_is_not_sent() {
        let xml = build(None, &example());
        let broken = xml.replace("</ClinicalDocument>", "");
        let e = checked(broken).expect_err("unclosed");
        assert_eq!(e.kind, crate::ErrorKind::InvalidInput);
        let e = checked(xml.replace("Alex Taylor", "Alex\u{fffe}")).expect_err("U+FFFE");
        assert!(e.message.contains("not sent"), "{}", e.message);
    }

    #[test]
    fn after_booking_the_appointment_reference_is_written_in() {
        let url = "https://provider.example/uec/calder/STU3/1/booking/Appointment/77";
        let xml = build(Some(url), &example());
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let enc = doc
            .descendants()
            .find(|n| n.has_tag_name("encounter"))
            .expect("appointment entry");
        assert_eq!(enc.attribute("moodCode"), Some("APT"));
        let id = enc.first_element_child().expect("id");
        assert_eq!(id.attribute("extension"), Some(url));
        assert!(text_of(&doc, "title").contains(&APPOINTMENT_REF_TITLE.to_string()));
    }
}
