// dwv imports JSZip only to open ZIP files dropped by a user; this viewer reads DICOMweb, never a
// ZIP, so the 100 KB library is left out of a page that may load over a 1 Mbit/s link.
export default class JSZip {
  constructor() {
    throw new Error('ZIP files are not opened by the console viewer');
  }
}
