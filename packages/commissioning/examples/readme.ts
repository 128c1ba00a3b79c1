import { diagnose, renderLinkHeatMap } from '@tsbms/commissioning';
import { healthyObservations, linkCounters, withModuleScans } from '@tsbms/commissioning/testing';

// What a run over 4 modules measured, made by hand here (the controller's `npm run doctor` measures
// it on the serial loop): module 2's replies failed their CRC in 6 of 10 scans (each retried), and
// thermistor 2 of module 3 reads −100 °C.
let observations = healthyObservations({ modules: 4, scans: 10 });
observations = withModuleScans(observations, 2, (scan, i) =>
  i % 5 < 3 ? { ...scan, link: linkCounters({ framesOk: 1, crcErrors: 1, retries: 1 }) } : scan,
);
observations = withModuleScans(observations, 3, (scan) => ({ ...scan, thermistorsC: [24, -100.2] }));

const report = diagnose(observations);
console.log(renderLinkHeatMap(observations.modules));
for (const finding of report.findings.filter((f) => f.severity !== 'ok')) {
  console.log(`${finding.severity}, module ${finding.module}: ${finding.title}`);
}
console.log(`exit code ${report.exitCode}`);
// → failed transactions per scan: · none  ░ < 25 %  ▒ < 50 %  ▓ < 100 %  █ all  (blank: not asked)
// → module 1 │··········│ 0/10 failed
// → module 2 │▓▓▓··▓▓▓··│ 6/16 failed (38 %)
// → module 3 │··········│ 0/10 failed
// → module 4 │··········│ 0/10 failed
// → problem, module 2: module 2: 6 of 16 replies had CRC errors
// → problem, module 3: module 3, thermistor 2 reads −100 °C: open (unplugged or broken wire)
// → exit code 1
