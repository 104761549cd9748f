//! The simulated Directory of Services SOAP web service (v1.5) over real HTTP: each rule and
//! fault of `nhsd-a2si/docs-dos-api` the simulator plays, the display order, the distances and
//! the directory-only services.

mod common;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::Europe::London;
use common::{now, options};
use provider_sim::{
    DEMO_DOS_PASSWORD, DEMO_DOS_UNPRIVILEGED_USERNAME, DEMO_DOS_USERNAME, RunningSim,
    national_cases, start,
};

const NS: &str = "https://nww.pathwaysdos.nhs.uk/app/api/webservices";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The next Tuesday (at least a day ahead, and not a bank holiday) at this London hour:
/// searches run at a known time whatever day the tests run on.
fn next_tuesday(hour: u32) -> DateTime<Utc> {
    let mut date = now().with_timezone(&London).date_naive() + Duration::days(1);
    while date.weekday() != chrono::Weekday::Tue || provider_sim::is_bank_holiday(date) {
        date += Duration::days(1);
    }
    London
        .from_local_datetime(&date.and_hms_opt(hour, 0, 0).expect("time"))
        .single()
        .expect("instant")
        .with_timezone(&Utc)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn envelope(header: &str, op: &str, user: &str, password: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"{SOAP12}\" xmlns:web=\"{NS}\">\
         <soap:Header>{header}</soap:Header><soap:Body><web:{op}>\
         <web:userInfo><web:username>{user}</web:username><web:password>{password}</web:password></web:userInfo>\
         {inner}</web:{op}></soap:Body></soap:Envelope>"
    )
}

/// A case's elements; `extra` is inserted as given (it may replace nothing: defaults stay).
struct Case {
    postcode: &'static str,
    surgery: Option<&'static str>,
    age: &'static str,
    age_format: &'static str,
    disposition: Option<&'static str>,
    symptom_group: Option<&'static str>,
    discriminators: &'static [&'static str],
    distance: Option<&'static str>,
    force: &'static str,
    gender: &'static str,
    when: Option<String>,
}

impl Case {
    fn primary_care() -> Case {
        Case {
            postcode: national_cases().search_postcode,
            surgery: None,
            age: "40",
            age_format: "Years",
            disposition: Some("1005"),
            symptom_group: Some("1010"),
            discriminators: &["4003"],
            distance: None,
            force: "false",
            gender: "F",
            when: Some(stamp(next_tuesday(10))),
        }
    }

    fn xml(&self) -> String {
        let opt = |name: &str, v: Option<&str>| {
            v.map(|v| format!("<web:{name}>{v}</web:{name}>"))
                .unwrap_or_default()
        };
        let sds: String = self
            .discriminators
            .iter()
            .map(|d| format!("<web:int>{d}</web:int>"))
            .collect();
        format!(
            "<web:c><web:caseId>TEST</web:caseId><web:postcode>{}</web:postcode>{}\
             <web:age>{}</web:age><web:ageFormat>{}</web:ageFormat>{}{}\
             <web:symptomDiscriminatorList>{sds}</web:symptomDiscriminatorList>{}\
             <web:forceSearchDistance>{}</web:forceSearchDistance><web:gender>{}</web:gender>{}</web:c>",
            self.postcode,
            opt("surgery", self.surgery),
            self.age,
            self.age_format,
            opt("disposition", self.disposition),
            opt("symptomGroup", self.symptom_group),
            opt("searchDistance", self.distance),
            self.force,
            self.gender,
            opt("searchDateTime", self.when.as_deref()),
        )
    }
}

async fn post(sim: &RunningSim, content_type: &str, body: String) -> (u16, String) {
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(sim.dos_url())
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    (r.status().as_u16(), r.text().await.expect("body"))
}

const SOAP12_CT: &str = "application/soap+xml; charset=utf-8; action=\"https://nww.pathwaysdos.nhs.uk/app/api/webservices/CheckCapacitySummary\"";

async fn ccs(sim: &RunningSim, case: &Case) -> (u16, String) {
    let body = envelope(
        "",
        "CheckCapacitySummary",
        DEMO_DOS_USERNAME,
        DEMO_DOS_PASSWORD,
        &case.xml(),
    );
    post(sim, SOAP12_CT, body).await
}

/// The text of every `<ns1:{tag}>` element, in order.
fn all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<ns1:{tag}>"), format!("</ns1:{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + close.len()..];
    }
    out
}

/// Each returned service's id (the first `id` inside each destination).
fn ids(xml: &str) -> Vec<String> {
    all(xml, "serviceCareSummaryDestination")
        .iter()
        .map(|d| all(d, "id")[0].clone())
        .collect()
}

fn destination(xml: &str, id: &str) -> Option<String> {
    all(xml, "serviceCareSummaryDestination")
        .into_iter()
        .find(|d| all(d, "id").first().map(String::as_str) == Some(id))
}

fn fault_code(body: &str) -> String {
    let start = body.find("<env:Value>").expect("a fault") + "<env:Value>".len();
    body[start..start + body[start..].find('<').expect("end")].to_string()
}

async fn expect_fault(sim: &RunningSim, case: &Case, code: &str) {
    let (status, body) = ccs(sim, case).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(fault_code(&body), code, "{body}");
}

#[tokio::test]
async fn a_search_answers_in_the_published_order_with_distances_in_miles() {
    let sim = start(options()).await.expect("sim");
    let cases = national_cases();
    let (status, body) = ccs(&sim, &Case::primary_care()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<ns1:CheckCapacitySummaryResponse>"));
    assert_eq!(all(&body, "SearchDistance"), ["60"]);
    assert_eq!(all(&body, "SearchDistanceUsedSource"), ["National"]);
    assert_eq!(all(&body, "CalculatedAgeInDays"), ["14610"]);
    let found = ids(&body);
    // Rank 1 (hubs and clinics) before rank 2 (UTCs); only the nearest two UTCs; no GP practice
    // without the patient's surgery; the red pharmacy never.
    let expected = [
        cases.no_sds_endpoint.dos_service_id,   // Bramley, 4.1 mi
        cases.wrong_sds_asid.dos_service_id,    // Kirkstall, 2.9 mi
        cases.two_sds_endpoints.dos_service_id, // Pudsey, 5.0 mi
    ];
    for id in expected {
        assert!(found.contains(&id.to_string()), "{id} in {found:?}");
    }
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(
        found[3..].contains(&"2000100505".to_string()),
        "Spen Valley UTC"
    );
    assert!(
        found[3..].contains(&"2000100101".to_string()),
        "Calder Valley UTC"
    );
    assert!(
        !found.contains(&"2000100202".to_string()),
        "a third UTC is surplus"
    );
    let miles: Vec<f64> = all(&body, "distance")
        .iter()
        .map(|d| d.parse().expect("miles"))
        .collect();
    assert!(miles[..3].windows(2).all(|w| w[0] <= w[1]), "{miles:?}");
    assert!(miles[3..].windows(2).all(|w| w[0] <= w[1]), "{miles:?}");
    // LS1 4AP (429900, 433600) to LS13 3AB (423400, 434100): 6.52 km, 4.05 miles.
    let bramley = destination(&body, cases.no_sds_endpoint.dos_service_id).expect("Bramley");
    assert_eq!(all(&bramley, "distance"), ["4.1"]);
    assert_eq!(all(&bramley, "transport"), ["http"]);
    assert_eq!(all(&bramley, "format"), ["FHIR"]);
    assert_eq!(all(&bramley, "interaction"), ["Scheduling"]);
    assert_eq!(all(&bramley, "address")[1], "ODS:Y01101");
    assert_eq!(all(&bramley, "odsCode"), ["Y01101"]);
    assert!(bramley.contains("<ns1:serviceType><ns1:id>136</ns1:id><ns1:name>GP Access Hub"));
}

#[tokio::test]
async fn the_patients_own_practice_comes_first_labelled_home() {
    let sim = start(options()).await.expect("sim");
    let case = Case {
        surgery: Some("B86001"),
        ..Case::primary_care()
    };
    let (status, body) = ccs(&sim, &case).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body)[0], "2000100801");
    assert_eq!(all(&body, "name")[0], "Beckside Medical Practice (Home)");
    // Another practice's patient does not get Beckside (restricted to its own).
    let case = Case {
        surgery: Some("B86002"),
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &case).await;
    assert!(!ids(&body).contains(&"2000100801".to_string()));
    assert_eq!(ids(&body)[0], "2000100802");
}

#[tokio::test]
async fn services_that_take_no_bookings_say_call_to_refer() {
    let sim = start(options()).await.expect("sim");
    let cases = national_cases();
    let case = Case {
        disposition: Some("1080"),
        symptom_group: Some("1206"),
        discriminators: &["4193"],
        ..Case::primary_care()
    };
    let (status, body) = ccs(&sim, &case).await;
    assert_eq!(status, 200, "{body}");
    let found = ids(&body);
    assert!(found.contains(&cases.not_bookable_pharmacy.dos_service_id.to_string()));
    // Red capacity is never returned.
    assert!(!found.contains(&"2000100903".to_string()), "{found:?}");
    let pharmacy = destination(&body, cases.not_bookable_pharmacy.dos_service_id).expect("in");
    assert!(pharmacy.contains("<ns1:serviceEndpoints></ns1:serviceEndpoints>"));
    assert!(all(&pharmacy, "referralInformation")[0].starts_with("Call to refer: 0113 496 0951"));
    assert_eq!(all(&pharmacy, "contactDetails"), ["0113 496 0951"]);
    let case = Case {
        disposition: Some("1017"),
        ..case
    };
    let (_, body) = ccs(&sim, &case).await;
    assert_eq!(ids(&body), [cases.not_bookable_dental.dos_service_id]);
}

#[tokio::test]
async fn the_search_distance_filters_a_square_around_the_postcode() {
    let sim = start(options()).await.expect("sim");
    let case = Case {
        distance: Some("7"),
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &case).await;
    assert_eq!(all(&body, "SearchDistance"), ["7"]);
    assert_eq!(all(&body, "SearchDistanceUsedSource"), ["Web Service"]);
    // Kirkstall (4.0 km west, 2.4 north) and Bramley (6.5 km west) are inside 7 km each way;
    // Pudsey (8.0 km west) and every UTC are not.
    let found = ids(&body);
    assert_eq!(found, ["2000100905", "2000100904"], "{body}");
    let forced = Case {
        distance: Some("5"),
        force: "true",
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &forced).await;
    assert_eq!(all(&body, "SearchDistanceUsedSource"), ["Override"]);
}

#[tokio::test]
async fn opening_hours_follow_the_search_time() {
    let sim = start(options()).await.expect("sim");
    // 21:00 on a Tuesday: the UTCs closed at 20:00; the out-of-hours service is open till 22:00.
    let evening = Case {
        when: Some(stamp(next_tuesday(21))),
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &evening).await;
    let found = ids(&body);
    assert!(found.contains(&"2000100805".to_string()), "{found:?}");
    assert!(!found.contains(&"2000100101".to_string()), "{found:?}");
    // An ED disposition in the small hours: EDs are open all hours.
    let night = Case {
        disposition: Some("1002"),
        when: Some(stamp(next_tuesday(3))),
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &night).await;
    let found = ids(&body);
    assert_eq!(found, ["2000100303", "2000100606"], "{body}");
    assert!(body.contains("<ns1:openAllHours>true</ns1:openAllHours>"));
    assert_eq!(all(&body, "SearchDateTime"), [stamp(next_tuesday(3))]);
}

#[tokio::test]
async fn age_ranges_are_matched_in_days() {
    let sim = start(options()).await.expect("sim");
    // Calder Valley UTC takes no one under a year.
    let baby = Case {
        age: "6",
        age_format: "Months",
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &baby).await;
    assert_eq!(all(&body, "CalculatedAgeInDays"), ["182"]);
    assert!(!ids(&body).contains(&"2000100101".to_string()));
    let adult_group = Case {
        age: "1",
        age_format: "AgeGroup",
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &adult_group).await;
    assert!(ids(&body).contains(&"2000100101".to_string()));
    assert!(all(&body, "CalculatedAgeInDays").is_empty());
}

#[tokio::test]
async fn no_match_falls_back_to_the_nearest_two_emergency_departments() {
    let sim = start(options()).await.expect("sim");
    // No symptom group: nothing matches (LOGIC), so the catch-all runs.
    let case = Case {
        symptom_group: None,
        ..Case::primary_care()
    };
    let (status, body) = ccs(&sim, &case).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["2000100303", "2000100606"]);
    for d in all(&body, "serviceCareSummaryDestination") {
        assert!(all(&d, "name")[0].ends_with(" (Catch-all)"), "{d}");
    }
    // Out of the region no ED is within reach either: fault 102.
    let far = Case {
        postcode: "CF10 1EP",
        ..Case::primary_care()
    };
    expect_fault(&sim, &far, "102").await;
}

#[tokio::test]
async fn each_invalid_parameter_has_its_published_fault() {
    let sim = start(options()).await.expect("sim");
    let base = Case::primary_care;
    let checks: Vec<(Case, &str)> = vec![
        (
            Case {
                postcode: "ZZ99 9ZZ",
                ..base()
            },
            "101",
        ),
        (
            Case {
                distance: Some("0"),
                ..base()
            },
            "105",
        ),
        (
            Case {
                distance: Some("100"),
                ..base()
            },
            "105",
        ),
        (
            Case {
                force: "true",
                ..base()
            },
            "113",
        ),
        (
            Case {
                gender: "X",
                ..base()
            },
            "106",
        ),
        (
            Case {
                symptom_group: Some("9999"),
                ..base()
            },
            "120",
        ),
        (
            Case {
                discriminators: &["4193"],
                ..base()
            },
            "104",
        ),
        (
            Case {
                discriminators: &[],
                ..base()
            },
            "104",
        ),
        (
            Case {
                disposition: Some("1099"),
                ..base()
            },
            "121",
        ),
        (
            Case {
                disposition: Some("Dx05"),
                ..base()
            },
            "121",
        ),
        (Case { age: "x", ..base() }, "114"),
        (
            Case {
                age: "32",
                age_format: "Days",
                ..base()
            },
            "115",
        ),
        (
            Case {
                age: "24",
                age_format: "Months",
                ..base()
            },
            "116",
        ),
        (
            Case {
                age: "1",
                age_format: "Years",
                ..base()
            },
            "117",
        ),
        (
            Case {
                age: "5",
                age_format: "AgeGroup",
                ..base()
            },
            "118",
        ),
        (
            Case {
                age_format: "Decades",
                ..base()
            },
            "119",
        ),
        (
            Case {
                when: Some("next tuesday".into()),
                ..base()
            },
            "108",
        ),
        (
            Case {
                when: Some(stamp(now() + Duration::days(400))),
                ..base()
            },
            "109",
        ),
        (
            Case {
                when: Some(stamp(now() - Duration::minutes(10))),
                ..base()
            },
            "110",
        ),
    ];
    for (case, code) in checks {
        expect_fault(&sim, &case, code).await;
    }
}

#[tokio::test]
async fn envelope_credentials_and_version_are_checked_first() {
    let sim = start(options()).await.expect("sim");
    let inner = Case::primary_care().xml();
    let ccs_env = |user: &str, password: &str, header: &str| {
        envelope(header, "CheckCapacitySummary", user, password, &inner)
    };
    let good = ccs_env(DEMO_DOS_USERNAME, DEMO_DOS_PASSWORD, "");
    let cases: Vec<(&str, String, &str)> = vec![
        (SOAP12_CT, "<not xml".to_string(), "108"),
        // SOAP 1.1: the WSDL binds SOAP 1.2 only.
        ("text/xml; charset=utf-8", good.clone(), "108"),
        (
            SOAP12_CT,
            good.replace(SOAP12, "http://schemas.xmlsoap.org/soap/envelope/"),
            "108",
        ),
        (SOAP12_CT, ccs_env(DEMO_DOS_USERNAME, "wrong", ""), "302"),
        (SOAP12_CT, ccs_env("someone", DEMO_DOS_PASSWORD, ""), "302"),
        (
            SOAP12_CT,
            ccs_env(DEMO_DOS_UNPRIVILEGED_USERNAME, DEMO_DOS_PASSWORD, ""),
            "303",
        ),
        (
            SOAP12_CT,
            good.replace(
                &format!(
                    "<web:userInfo><web:username>{DEMO_DOS_USERNAME}</web:username><web:password>{DEMO_DOS_PASSWORD}</web:password></web:userInfo>"
                ),
                "",
            ),
            "1001",
        ),
        (
            SOAP12_CT,
            ccs_env(
                DEMO_DOS_USERNAME,
                DEMO_DOS_PASSWORD,
                "<web:serviceVersion>1.3</web:serviceVersion>",
            ),
            "107",
        ),
    ];
    for (ct, body, code) in cases {
        let (status, answer) = post(&sim, ct, body).await;
        assert_eq!(status, 500, "{answer}");
        assert_eq!(fault_code(&answer), code, "{answer}");
        assert!(answer.contains(&format!("xmlns:env=\"{SOAP12}\"")));
    }
    let (status, body) = post(
        &sim,
        SOAP12_CT,
        ccs_env(
            DEMO_DOS_USERNAME,
            DEMO_DOS_PASSWORD,
            "<web:serviceVersion>1.5</web:serviceVersion>",
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn service_details_by_id_lists_endpoints_by_dos_id_or_ods_code() {
    let sim = start(options()).await.expect("sim");
    let details = |id: &str| {
        envelope(
            "",
            "ServiceDetailsById",
            DEMO_DOS_USERNAME,
            DEMO_DOS_PASSWORD,
            &format!("<web:serviceId>{id}</web:serviceId>"),
        )
    };
    let (status, body) = post(&sim, SOAP12_CT, details("2000100101")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(all(&body, "odsCode"), ["NQ501"]);
    // The booking endpoint names the SDS entry; the 111 report's (ITK, CDA) is a URL here.
    let addresses = all(&body, "address");
    assert_eq!(addresses[0], "ODS:NQ501");
    assert_eq!(all(&body, "transport"), ["http", "itk"]);
    assert!(
        addresses[1].starts_with(&sim.base_url()) && addresses[1].ends_with("/report"),
        "{addresses:?}"
    );
    assert!(
        all(&body, "interaction")[1].ends_with("RecipientNHS111CDADocument-v2-0"),
        "{body}"
    );
    let (_, body) = post(&sim, SOAP12_CT, details("B86001")).await;
    assert_eq!(all(&body, "id"), ["2000100801"]);
    // A BaRS service: no endpoint in DoS (its endpoints are in the BaRS catalogue).
    let (_, body) = post(&sim, SOAP12_CT, details("2000100404")).await;
    assert!(body.contains("<ns1:serviceEndpoints></ns1:serviceEndpoints>"));
    let (status, body) = post(&sim, SOAP12_CT, details("999")).await;
    assert_eq!(status, 500);
    assert_eq!(fault_code(&body), "103");
}

#[tokio::test]
async fn a_booking_only_service_carries_the_requirebooking_attribute() {
    let sim = start(options()).await.expect("sim");
    let case = Case {
        postcode: "BD21 2LS",
        ..Case::primary_care()
    };
    let (_, body) = ccs(&sim, &case).await;
    let airedale = destination(&body, "2000100202").expect("Airedale Park UTC");
    assert!(airedale.contains("<ns1:name>requirebooking</ns1:name><ns1:description>"));
    assert!(airedale.contains("<ns1:value>true</ns1:value>"));
}

#[tokio::test]
async fn directory_only_services_stay_out_of_the_services_file() {
    let sim = start(options()).await.expect("sim");
    let c = national_cases();
    let listed = sim.services();
    for s in [
        c.not_bookable_pharmacy,
        c.not_bookable_dental,
        c.no_sds_endpoint,
        c.wrong_sds_asid,
        c.two_sds_endpoints,
    ] {
        assert!(listed.iter().all(|x| x.ods != s.ods), "{}", s.name);
        assert!(!sim.services_toml().contains(s.ods));
    }
    let jane = provider_sim::demo_patients()
        .into_iter()
        .find(|p| p.nhs_number == c.search_nhs_number)
        .expect("Jane");
    assert_eq!(jane.postcode, c.search_postcode);
}

#[tokio::test]
async fn a_practice_is_closed_on_bank_holidays_and_the_rotas_say_when_others_open() {
    let sim = start(options()).await.expect("sim");
    // 10:00 on the next Monday bank holiday whose Tuesday is an ordinary day, and that Tuesday.
    let mut day = now().with_timezone(&London).date_naive() + Duration::days(1);
    while !(day.weekday() == chrono::Weekday::Mon
        && provider_sim::is_bank_holiday(day)
        && !provider_sim::is_bank_holiday(day + Duration::days(1)))
    {
        day += Duration::days(1);
        assert!(
            day.year() < 2041,
            "the simulator's Easter table needs extending"
        );
    }
    let at = |date: chrono::NaiveDate| {
        stamp(
            London
                .from_local_datetime(&date.and_hms_opt(10, 0, 0).expect("time"))
                .single()
                .expect("instant")
                .with_timezone(&Utc),
        )
    };
    let holiday = Case {
        surgery: Some("B86001"),
        when: Some(at(day)),
        ..Case::primary_care()
    };
    let (status, body) = ccs(&sim, &holiday).await;
    assert_eq!(status, 200, "{body}");
    let found = ids(&body);
    assert!(
        !found.contains(&"2000100801".to_string()),
        "the practice is closed: {found:?}"
    );
    // The hub opens every day, bank holidays too, and its rota gives that day its own sessions.
    let hub = destination(&body, national_cases().no_sds_endpoint.dos_service_id).expect("the hub");
    assert!(
        hub.contains("<ns1:startDayOfWeek>Bankholiday</ns1:startDayOfWeek>"),
        "{hub}"
    );
    let next_day = Case {
        when: Some(at(day + Duration::days(1))),
        ..holiday
    };
    let (_, body) = ccs(&sim, &next_day).await;
    assert_eq!(ids(&body)[0], "2000100801", "the practice is open again");
}
