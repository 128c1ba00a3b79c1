import { ManualClock } from '@tsbms/hal';
import { bmsStatus, FakeOutputContext, moduleStatus } from '@tsbms/bms-core/testing';
import { influxDbConfigSchema, startInfluxDbOutput } from '@tsbms/output-influxdb';
import { ScriptedFetch } from '@tsbms/output-influxdb/testing';

// The section as the controller validates it (the token comes from TSBMS_INFLUXDB_TOKEN), and a
// fetch in memory instead of the network: startInfluxDbOutput() alone uses the global fetch.
const influxdb = influxDbConfigSchema.parse({
  enabled: true,
  url: 'http://influxdb.local:8086',
  org: 'home',
  bucket: 'battery',
  pack: 'garage',
  cells: false,
  temperatures: false,
});
const clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 0, 0)); // virtual time
const influx = new ScriptedFetch(clock); // answers 204, as InfluxDB does
const scan = () =>
  bmsStatus({
    timestampMs: clock.now(),
    modules: [
      moduleStatus({ address: 1, cellsV: [3.875, 3.9, 3.9, 3.9, 3.9, 3.9375], temperaturesC: [21, 22.5] }),
    ],
    packVoltageV: 23.41,
    currentA: -12.5,
    socPercent: 64,
  });
const context = new FakeOutputContext({ clock, settings: { influxdb }, status: scan() });

async function main(): Promise<void> {
  const output = await startInfluxDbOutput({ fetch: influx.fetch })(context);
  for (let s = 0; s < 20; s += 2) {
    context.publishStatus(scan()); // a scan every 2 s
    if (s === 6)
      context.publishFault({
        type: 'raise',
        timestampMs: clock.now(),
        kind: 'overTemperature',
        level: 'warning',
        location: { moduleAddress: 1, sensorIndex: 1 },
        value: 46.5,
        source: 'engine',
        latched: false,
      });
    await clock.advanceByMs(2000);
  }
  console.log(influx.requests[0]?.url);
  console.log(output?.status().message);
  await output?.stop(); // posts what is left
  for (const request of influx.requests) console.log(request.body);
}

void main();
// → http://influxdb.local:8086/api/v2/write?org=home&bucket=battery&precision=ms
// → http://influxdb.local:8086 battery: 2 line(s) written, the last 0 s ago
// → tsbms_fault,kind=overTemperature,level=warning,location=module\ 1\ sensor\ 2,pack=garage,type=raise value=46.5,latched=false,source="engine" 1796472006000
// → tsbms_pack,pack=garage pack_voltage_v=23.41,current_a=-12.5,soc_percent=64,soh_percent=100,cvl_v=49.2,ccl_a=100,dcl_a=100,contactors_closed=true,contactor_state="CLOSED",cell_min_voltage_v=3.875,cell_max_voltage_v=3.9375,cell_spread_v=0.0625,temperature_min_c=21,temperature_max_c=22.5,faults_active=0i,alerts_active=0i,modules_found=1i 1796472008000
// → tsbms_pack,pack=garage pack_voltage_v=23.41,current_a=-12.5,soc_percent=64,soh_percent=100,cvl_v=49.2,ccl_a=100,dcl_a=100,contactors_closed=true,contactor_state="CLOSED",cell_min_voltage_v=3.875,cell_max_voltage_v=3.9375,cell_spread_v=0.0625,temperature_min_c=21,temperature_max_c=22.5,faults_active=0i,alerts_active=0i,modules_found=1i 1796472018000
