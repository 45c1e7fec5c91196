// dwv imports magic-wand-tool as an ES module: its UMD build sets window.MagicWand.
export default window.MagicWand;
