// The mock's Directory of Services: what `find_services` and `known_dispositions` answer in the
// browser demo. Bookable services carry the ids of the mock's own directory, so their slots can
// be searched and booked as those are.
import type { CareNeed, Disposition, Error as ApiError, HowBooked, ServiceOption, ServicesFound, Standard } from "../bindings";

const invalid = (message: string, next_step: string): ApiError => ({
  kind: "invalid-input",
  message,
  next_step,
  http_status: null,
  code: null,
  trace_id: crypto.randomUUID(),
  service_id: null,
  diagnostics: null,
});

/** Where each postcode area is, on a rough grid of miles across West Yorkshire. */
const AREAS: Record<string, [number, number]> = { LS: [10, 10], BD: [0, 8], WF: [14, 0], HD: [2, -6], HX: [-4, 0] };

type Entry = {
  dos_id: string;
  name: string;
  public_name?: string;
  ods: string | null;
  service_type: string;
  address: string;
  postcode: string;
  at: [number, number];
  phone: string;
  hours: [number, number] | "all";
  booking: HowBooked;
  /** A GP practice is offered only to its own registered patients. */
  practice?: boolean;
};

const book = (standard: Standard, service_id: string): HowBooked => ({ how: "book", standard, service_id, configured: true });

const ENTRIES: Entry[] = [
  { dos_id: "2000100801", name: "Beckside MP", public_name: "Beckside Medical Practice", ods: "B86001", service_type: "GP Practice", address: "12 Beckside Road, Kirkstall, Leeds", postcode: "LS5 3BQ", at: [8, 11], phone: "0113 496 0001", hours: [8, 18], booking: book("gp-connect", "beckside-medical-practice"), practice: true },
  { dos_id: "2000100802", name: "Chapel Lane Surgery", ods: "B86002", service_type: "GP Practice", address: "3 Chapel Lane, Headingley, Leeds", postcode: "LS6 3BW", at: [9, 12], phone: "0113 496 0002", hours: [8, 17], booking: book("gp-connect", "chapel-lane-surgery"), practice: true },
  { dos_id: "2000100401", name: "WY GP OOH", public_name: "West Yorkshire GP Out of Hours", ods: "NXY10", service_type: "GP Out of Hours", address: "Wharfedale Primary Care Centre, 5 Ribbon Way, Leeds", postcode: "LS12 4QT", at: [8, 8], phone: "0113 496 0401", hours: [18, 23], booking: book("gp-connect", "west-yorkshire-gp-out-of-hours") },
  { dos_id: "2000100101", name: "Calder Valley UTC", public_name: "Calder Valley Urgent Treatment Centre", ods: "NQ501", service_type: "Urgent Treatment Centre", address: "Calder Valley Hospital, Halifax Road, Halifax", postcode: "HX3 0PW", at: [-3, 1], phone: "01422 496 101", hours: [8, 22], booking: book("uec-booking", "calder-valley-utc") },
  { dos_id: "2000100102", name: "Airedale Park UTC", public_name: "Airedale Park Urgent Treatment Centre", ods: "NQ502", service_type: "Urgent Treatment Centre", address: "Airedale Park, Skipton Road, Keighley", postcode: "BD20 6TD", at: [-2, 14], phone: "01535 496 102", hours: [8, 20], booking: book("uec-booking", "airedale-park-utc") },
  { dos_id: "2000100505", name: "Spen Valley UTC", public_name: "Spen Valley Urgent Treatment Centre", ods: "NQ503", service_type: "Urgent Treatment Centre", address: "Spen Valley Health Centre, Bradford Road, Cleckheaton", postcode: "BD19 3TT", at: [3, 2], phone: "01274 496 505", hours: [8, 21], booking: book("bars", "spen-valley-utc") },
  { dos_id: "2000100606", name: "Leeds East ED", public_name: "Leeds East Hospital Emergency Department", ods: "RR801", service_type: "Emergency Department", address: "Leeds East Hospital, York Road, Leeds", postcode: "LS14 6UH", at: [13, 10], phone: "0113 496 0606", hours: "all", booking: book("uec-booking", "leeds-east-ed") },
  { dos_id: "2000100707", name: "Kirkstall Pharmacy", ods: "FK707", service_type: "Community Pharmacy", address: "2 Commercial Road, Kirkstall, Leeds", postcode: "LS5 3AQ", at: [8, 10], phone: "0113 496 0707", hours: [9, 19], booking: { how: "call-to-refer" } },
  { dos_id: "2000100909", name: "Wharfedale MIU", public_name: "Wharfedale Minor Injuries Unit", ods: "RR809", service_type: "Minor Injuries Unit", address: "Newall Carr Road, Otley", postcode: "LS21 2LY", at: [5, 16], phone: "01943 496 909", hours: [9, 21], booking: { how: "cannot-book", reason: "Its booking endpoint is registered to another system than this desk's.", next_step: "Phone the service to refer the patient, or choose another service." } },
];

function ukHour(): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", hourCycle: "h23" }).format(new Date()));
}

/** The DoS's search for the need, nearest and most suitable first; the practice first of all. */
export function findServices(need: CareNeed, dx: string | null): ServicesFound {
  const postcode = need.postcode.trim().toUpperCase();
  const m = /^([A-Z]{1,2})(\d[A-Z\d]?) ?\d[A-Z]{2}$/.exec(postcode);
  if (!m) throw invalid(`"${need.postcode}" is not a postcode.`, "Ask the caller for the postcode where the patient is now, like LS1 4AP.");
  const area = AREAS[m[1]];
  if (!area) throw invalid(`The Directory of Services does not know the postcode ${postcode}.`, "Check the postcode with the caller, or search the desk's own services.");
  if (need.symptom_group === null) throw invalid("The triage summary has no symptom group, which the Directory of Services needs.", "Add the symptom group (like SG1010) to the triage summary.");
  if (need.symptom_discriminators.length === 0) throw invalid("The triage summary has no symptom discriminator, which the Directory of Services needs.", "Add the symptom discriminator (like SD4003) to the triage summary.");
  // Districts move the patient a little within their area, so two postcodes differ.
  const district = Number.parseInt(m[2], 10) || 0;
  const here: [number, number] = [area[0] + (district % 5) * 0.3, area[1] - (district % 7) * 0.2];
  const hour = ukHour();
  const surgery = need.surgery?.toUpperCase() ?? null;
  // Emergency departments only for the dispositions that send patients there (Dx01–Dx03).
  const toEd = /^Dx0[1-3]/i.test(dx ?? "");
  const offered = ENTRIES.filter((e) => (e.practice ? e.ods === surgery : e.service_type !== "Emergency Department" || toEd));
  const options: (ServiceOption & { own: boolean })[] = offered.map((e) => {
    const miles = Math.round(Math.hypot(e.at[0] - here[0], e.at[1] - here[1]) * 100) / 100;
    return {
      own: !!e.practice,
      service: {
        dos_id: e.dos_id,
        name: e.name,
        public_name: e.public_name ?? null,
        ods: e.ods,
        service_type: e.service_type,
        address: e.address,
        postcode: e.postcode,
        distance_miles: miles,
        phone: e.phone,
        professional_phone: null,
        referral_information: e.booking.how === "call-to-refer" ? "Refer by phone; the pharmacist calls the patient back." : null,
        open_all_hours: e.hours === "all",
        open_now: e.hours === "all" ? true : hour >= e.hours[0] && hour < e.hours[1],
        capacity: "High",
        endpoints: [],
        requires_booking: false,
      },
      booking: e.booking,
    };
  });
  options.sort((a, b) => Number(b.own) - Number(a.own) || (a.service.distance_miles ?? 0) - (b.service.distance_miles ?? 0));
  return { services: options.map(({ service, booking }) => ({ service, booking })), search_distance_km: need.search_distance_km, transaction_id: crypto.randomUUID() };
}

/** Some of the published Pathways dispositions, with their words and timeframes. */
export const DISPOSITIONS: Disposition[] = [
  { code: "Dx02", text: "Attend an emergency department within 1 hour", timeframe_minutes: 60 },
  { code: "Dx03", text: "Attend an emergency department within 4 hours", timeframe_minutes: 240 },
  { code: "Dx05", text: "Speak to a primary care service within 2 hours", timeframe_minutes: 120 },
  { code: "Dx06", text: "Speak to a primary care service within 6 hours", timeframe_minutes: 360 },
  { code: "Dx07", text: "Speak to a primary care service within 12 hours", timeframe_minutes: 720 },
  { code: "Dx08", text: "Speak to a primary care service within 24 hours", timeframe_minutes: 1440 },
  { code: "Dx11", text: "Speak to a primary care service within 1 hour", timeframe_minutes: 60 },
  { code: "Dx75", text: "Contact own GP practice next working day for appointment", timeframe_minutes: null },
];
