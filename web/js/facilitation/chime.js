// A short, soft two-note chime made with WebAudio (no audio files).

let audio = null;

/** Create (or wake) the audio context; call from a user gesture so browsers allow it. */
export function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

export function chime() {
  const ac = unlockAudio();
  if (!ac) return;
  const start = ac.currentTime + 0.02;
  [
    [659.25, 0], // E5
    [880, 0.28], // A5
  ].forEach(([freq, delay]) => {
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const t0 = start + delay;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.18, t0 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.9);
    osc.connect(gain).connect(ac.destination);
    osc.start(t0);
    osc.stop(t0 + 1);
  });
}
