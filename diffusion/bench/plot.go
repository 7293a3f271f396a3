package bench

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of one panel of WritePlot and the resolution of its PNG.
const (
	panelWidth  = 16 * vg.Centimeter
	panelHeight = 10 * vg.Centimeter
	plotDPI     = 150
)

// family is one curve of WritePlot.
type family struct {
	name  string
	color color.Color
	shape draw.GlyphDrawer
	line  bool // join the points
	match func(r Row) bool
}

var families = []family{
	{"adaptive, bridge", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 255}, draw.CircleGlyph{}, true,
		func(r Row) bool { return r.Sampler == "adaptive" && r.Brownian != "redraw" }},
	{"adaptive, redraw (paper's code)", color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}, draw.TriangleGlyph{}, true,
		func(r Row) bool { return r.Sampler == "adaptive" && r.Brownian == "redraw" }},
	{"Euler–Maruyama", color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 255}, draw.SquareGlyph{}, true,
		func(r Row) bool { return r.Sampler == "em" }},
	{"predictor–corrector", color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 255}, draw.PyramidGlyph{}, false,
		func(r Row) bool { return r.Sampler == "pc" }},
	{"probability-flow ODE", color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 255}, draw.CrossGlyph{}, false,
		func(r Row) bool { return r.Sampler == "ode" }},
}

// WritePlot writes a PNG of the dispersion error (the mean log ratio of
// within-component variances, sample to exact; 0 is perfect) against the
// NFE per sample (mean, log axis) to path, with ±1 SE error bars: one
// curve per sampler family (adaptive with the bridge, adaptive with the
// paper's redraw, Euler–Maruyama at every step count of rows), the
// predictor–corrector and the probability-flow ODE as points, and the
// exact sampler (the noise floor) as a dashed horizontal line. The panels,
// one per (data, sde) group of rows in order of appearance, are stacked
// vertically in the one file. Rows without an NFE > 0 or a finite
// dispersion are left out of the curves (a log axis cannot show them).
func WritePlot(path string, rows []Row) error {
	gs := groups(rows)
	if len(gs) == 0 {
		return errors.New("bench: no rows to plot")
	}
	plots := make([][]*plot.Plot, len(gs))
	for i, g := range gs {
		p, err := panel(g)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{p}
	}
	img := vgimg.NewWith(vgimg.UseWH(panelWidth, panelHeight*vg.Length(len(gs))), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	t := draw.Tiles{Rows: len(gs), Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	canvases := plot.Align(plots, t, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("bench: writing %s: %w", path, err)
	}
	return f.Close()
}

// xyErr is a set of points with symmetric Y errors.
type xyErr struct {
	plotter.XYs
	plotter.YErrors
}

// panel draws one (data, sde) group.
func panel(g []Row) (*plot.Plot, error) {
	r0 := g[0]
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, %s: n = %d", r0.Data, strings.ToUpper(r0.SDE), r0.N)
	p.X.Label.Text = "NFE per sample (mean, log scale)"
	p.Y.Label.Text = "dispersion error (± SE)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())

	usable := func(r Row) bool {
		return r.NFEMean > 0 && !math.IsInf(r.NFEMean, 0) && !math.IsNaN(r.Dispersion) && !math.IsInf(r.Dispersion, 0)
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, r := range g {
		if usable(r) {
			xmin, xmax = min(xmin, r.NFEMean), max(xmax, r.NFEMean)
		}
	}
	if math.IsInf(xmin, 0) {
		xmin, xmax = 1, 1000 // nothing to plot but the floor
	}
	p.X.Min, p.X.Max = xmin/1.3, xmax*1.3

	for _, fam := range families {
		var pts []Row
		for _, r := range g {
			if fam.match(r) && usable(r) {
				pts = append(pts, r)
			}
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortStableFunc(pts, func(a, b Row) int { return cmpFloat(a.NFEMean, b.NFEMean) })
		d := xyErr{XYs: make(plotter.XYs, len(pts)), YErrors: make(plotter.YErrors, len(pts))}
		for i, r := range pts {
			d.XYs[i] = plotter.XY{X: r.NFEMean, Y: r.Dispersion}
			se := r.DispersionSE
			if math.IsNaN(se) || math.IsInf(se, 0) {
				se = 0
			}
			d.YErrors[i].Low, d.YErrors[i].High = se, se
		}
		sc, err := plotter.NewScatter(d.XYs)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: fam.color, Radius: vg.Points(2.5), Shape: fam.shape}
		eb, err := plotter.NewYErrorBars(d)
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color = fam.color
		eb.CapWidth = vg.Points(3)
		p.Add(eb, sc)
		if fam.line && len(pts) > 1 {
			l, err := plotter.NewLine(d.XYs)
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: fam.color, Width: vg.Points(1)}
			p.Add(l)
			p.Legend.Add(fam.name, l, sc)
		} else {
			p.Legend.Add(fam.name, sc)
		}
	}
	// Room above the data for the legend (top right).
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, r := range g {
		if usable(r) || (r.Sampler == "exact" && !math.IsNaN(r.Dispersion)) {
			se := r.DispersionSE
			if math.IsNaN(se) || math.IsInf(se, 0) {
				se = 0
			}
			ymin, ymax = min(ymin, r.Dispersion-se), max(ymax, r.Dispersion+se)
		}
	}
	if ymax > ymin {
		p.Y.Min, p.Y.Max = ymin-0.05*(ymax-ymin), ymax+0.9*(ymax-ymin) // the legend takes about the top third
	}
	for _, r := range g {
		if r.Sampler != "exact" || math.IsNaN(r.Dispersion) {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: r.Dispersion}, {X: p.X.Max, Y: r.Dispersion}})
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x60}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		p.Add(l)
		p.Legend.Add("exact sampler (its sampling noise)", l)
	}
	return p, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
