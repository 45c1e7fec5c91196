// dwv imports Konva as an ES module; the browser gets Konva's own UMD build (one file, loaded
// before this by a classic script tag) instead of the 40 small modules of its ESM build.
export default window.Konva;
