// Parse an iCalendar feed from stdin with Mozilla's ical.js and print what the tests check, as JSON.
// A second, independent parser: if ical.js cannot read a feed, calendar clients built on it cannot.
"use strict";
const ICAL = require("ical.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const root = new ICAL.Component(ICAL.parse(input));
  const timezones = root.getAllSubcomponents("vtimezone").map((tz) => {
    const zone = new ICAL.Timezone(tz);
    ICAL.TimezoneService.register(zone, zone.tzid);
    return zone.tzid;
  });
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const ev = new ICAL.Event(vevent);
    const start = vevent.getFirstProperty("dtstart");
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      status: vevent.getFirstPropertyValue("status"),
      url: vevent.getFirstPropertyValue("url"),
      dtstamp: vevent.getFirstPropertyValue("dtstamp").toString(),
      start: ev.startDate.toString(),
      startUtc: ev.startDate.isDate ? null : ev.startDate.toUnixTime(),
      isDate: ev.startDate.isDate,
      tzid: start.getParameter("tzid") || null,
    };
  });
  process.stdout.write(JSON.stringify({
    version: root.getFirstPropertyValue("version"),
    prodid: root.getFirstPropertyValue("prodid"),
    timezones,
    events,
  }));
});
